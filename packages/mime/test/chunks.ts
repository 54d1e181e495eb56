// Test helper: cuts bytes into chunks at arbitrary points (for "any chunking" properties).

/** `bytes` cut at each of `cuts` (taken modulo the length; duplicates and order do not matter). */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.slice(last, p));
    last = p;
  }
  out.push(bytes.slice(last));
  return out;
}
