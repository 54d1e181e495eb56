/**
 * Checks that `actual` contains `expected`: every key of an expected object must match in
 * the actual value (extra actual keys are fine), arrays must have the same length and match
 * item by item, and anything else must be strictly equal. Works on class instances such as
 * `SmtpError` (own and prototype getters alike).
 *
 * @returns `undefined` when it matches, otherwise the path and the two values that differ.
 * @since 0.1.0
 */
export function findSubsetMismatch(
  actual: unknown,
  expected: unknown,
  path = "$",
): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${show(actual)}`;
    if (actual.length !== expected.length) {
      return `${path}: expected ${expected.length} items, got ${actual.length} (${show(actual)})`;
    }
    for (let i = 0; i < expected.length; i++) {
      const mismatch = findSubsetMismatch(actual[i], expected[i], `${path}[${i}]`);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null)
      return `${path}: expected an object, got ${show(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const mismatch = findSubsetMismatch(
        (actual as Record<string, unknown>)[key],
        value,
        `${path}.${key}`,
      );
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  return Object.is(actual, expected)
    ? undefined
    : `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

function show(value: unknown): string {
  if (value instanceof Error) return `${value.name}(${value.message})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
