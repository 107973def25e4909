/**
 * The q-quantile (0..1) of an ascending, non-empty list, interpolated between the two nearest ranks
 * (Hyndman & Fan type 7, the spreadsheet and numpy default): q = 0.5 is the usual median.
 */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
