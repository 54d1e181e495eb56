/**
 * RFC 3492 Punycode decoding of one A-label body (the part after `xn--`), so that SMTPUTF8
 * mode can write the same normalised U-labels the ASCII mode writes as A-labels.
 * Returns `undefined` for input that is not valid Punycode.
 *
 * @since 0.1.0
 */
export function decodePunycode(input: string): string | undefined {
  const base = 36;
  const tMin = 1;
  const tMax = 26;
  const skew = 38;
  const damp = 700;
  const maxCodePoint = 0x10ffff;
  const adapt = (delta: number, points: number, first: boolean): number => {
    let d = first ? Math.floor(delta / damp) : delta >> 1;
    d += Math.floor(d / points);
    let k = 0;
    while (d > ((base - tMin) * tMax) >> 1) {
      d = Math.floor(d / (base - tMin));
      k += base;
    }
    return k + Math.floor(((base - tMin + 1) * d) / (d + skew));
  };
  const digit = (c: number): number => {
    if (c >= 0x30 && c <= 0x39) return c - 0x30 + 26;
    if (c >= 0x41 && c <= 0x5a) return c - 0x41;
    if (c >= 0x61 && c <= 0x7a) return c - 0x61;
    return base;
  };
  const last = input.lastIndexOf("-");
  const output: number[] = [];
  for (let i = 0; i < Math.max(last, 0); i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x80) return undefined;
    output.push(c);
  }
  let n = 0x80;
  let bias = 72;
  let i = 0;
  for (let pos = last > 0 ? last + 1 : 0; pos < input.length; ) {
    const oldI = i;
    let w = 1;
    for (let k = base; ; k += base) {
      if (pos >= input.length) return undefined;
      const d = digit(input.charCodeAt(pos++));
      if (d >= base) return undefined;
      i += d * w;
      if (i > maxCodePoint * 64) return undefined;
      const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
      if (d < t) break;
      w *= base - t;
    }
    const points = output.length + 1;
    bias = adapt(i - oldI, points, oldI === 0);
    n += Math.floor(i / points);
    i %= points;
    if (n > maxCodePoint || (n >= 0xd800 && n <= 0xdfff)) return undefined;
    output.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...output);
}
