/**
 * `@smtp-internal/dkim-verify`: two independent DKIM verifiers for the tests, mailauth (npm)
 * and dkimpy (Debian's python3-dkim), both given the public keys from a local table and
 * never DNS, plus test keys. Private: never published; Node (and Bun) only.
 *
 * @module
 */
import { hasDkimpy, verifyWithDkimpy } from "./dkimpy.ts";
import { verifyWithMailauth } from "./mailauth.ts";
import type { KeyRecords, VerifierResult } from "./types.ts";

export { hasDkimpy, SYSTEM_PYTHON, verifyWithDkimpy } from "./dkimpy.ts";
export { keyRecord, type TestKey, testKey } from "./keys.ts";
export { verifyWithMailauth } from "./mailauth.ts";
export type { KeyRecords, VerifierResult } from "./types.ts";

/** Both verifiers' results; `dkimpy` is `undefined` when it is not installed (only outside CI). */
export interface Verdicts {
  mailauth: VerifierResult[];
  dkimpy: VerifierResult[] | undefined;
}

/**
 * Verifies `message` with mailauth and dkimpy. Without dkimpy, `dkimpy` is `undefined`,
 * unless `CI` is set: there it must be installed (`.ci/run` installs it), so its absence
 * throws.
 */
export async function verifyDkim(
  message: Uint8Array,
  keys: KeyRecords,
  options: { now?: Date } = {},
): Promise<Verdicts> {
  const withDkimpy = await hasDkimpy();
  if (!withDkimpy && process.env.CI) {
    throw new Error("dkimpy (Debian python3-dkim) is missing, and CI is set: it must run there");
  }
  const [mailauth, dkimpy] = await Promise.all([
    verifyWithMailauth(message, keys, options.now),
    withDkimpy ? verifyWithDkimpy(message, keys) : undefined,
  ]);
  return { mailauth, dkimpy };
}

/**
 * One line per signature and verifier (`mailauth rsa-sha256 d=… s=…: pass`), to compare
 * with an expected list in a test.
 */
export function describeVerdicts(verdicts: Verdicts): string[] {
  const lines: string[] = [];
  for (const [name, results] of Object.entries(verdicts) as [
    string,
    VerifierResult[] | undefined,
  ][]) {
    for (const r of results ?? []) {
      lines.push(
        `${name} ${r.algorithm} d=${r.domain} s=${r.selector}: ${r.pass ? "pass" : `FAIL (${r.detail})`}`,
      );
    }
  }
  return lines;
}

/** Whether every signature passed at every verifier that ran, and there was at least one. */
export function allPass(verdicts: Verdicts, signatures: number): boolean {
  const runs = [verdicts.mailauth, ...(verdicts.dkimpy ? [verdicts.dkimpy] : [])];
  return runs.every((results) => results.length === signatures && results.every((r) => r.pass));
}
