// Medians and spreads of paired rounds.
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** "1.02× (0.97–1.08)": the median and the min–max of per-round ratios. */
export const ratioText = (ratios) => `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`

/** "≥ 0.9× ✓": the target and whether `value` meets it. */
export const verdict = (value, target, { higherIsBetter = true, unit = '×' } = {}) =>
  target === undefined ? '—' : `${higherIsBetter ? '≥' : '≤'} ${target}${unit} ${(higherIsBetter ? value >= target : value <= target) ? '✓' : '✗'}`
