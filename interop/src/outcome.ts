/** What a cell concluded about one server. */

/**
 * `pass`, `fail` (with why), or `n/a` when the cell does not apply to this server (an LMTP
 * cell on an SMTP server, a mechanism it does not offer).
 *
 * @since 0.1.0
 */
export type CellOutcome =
  | { status: "pass"; note?: string }
  | { status: "fail"; reason: string; details?: readonly string[] }
  | { status: "n/a"; reason: string };

/** @since 0.1.0 */
export const pass = (note?: string): CellOutcome =>
  note === undefined ? { status: "pass" } : { status: "pass", note };

/** @since 0.1.0 */
export const fail = (reason: string): CellOutcome => ({ status: "fail", reason });

/** @since 0.1.0 */
export const notApplicable = (reason: string): CellOutcome => ({ status: "n/a", reason });

/**
 * The problems as a failure (the first as its reason, all of them as details), or
 * `pass(note)` when there are none.
 *
 * @since 0.1.0
 */
export function verdict(problems: readonly string[], note?: string): CellOutcome {
  if (problems.length === 0) return pass(note);
  const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : "";
  return { status: "fail", reason: `${problems[0]}${more}`, details: problems };
}
