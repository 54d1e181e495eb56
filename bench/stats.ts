/** Small statistics over the repetitions of one cell. */

/** Median, minimum and maximum of some numbers. @since 0.1.0 */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** The median (mean of the middle two for an even count) with min and max; NaN when empty. @since 0.1.0 */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
  return { median, min: finite[0]!, max: finite[n - 1]!, n };
}

/** Formats a number with a sensible number of digits for a table. @since 0.1.0 */
export function fmt(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return "–";
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** `median (min–max)`, or just the median when there is one value. @since 0.1.0 */
export function fmtSpread(s: Spread, digits?: number): string {
  if (s.n === 0) return "–";
  if (s.n === 1 || s.min === s.max) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

/** A spread of milliseconds in seconds. @since 0.2.0 */
export function seconds(s: Spread): Spread {
  return { ...s, median: s.median / 1000, min: s.min / 1000, max: s.max / 1000 };
}

/** Groups `items` by `key`, in order of first appearance. @since 0.1.0 */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}
