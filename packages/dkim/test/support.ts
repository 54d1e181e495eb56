import { createHash } from "node:crypto";
import type { Sha256Like } from "@smtp/dkim";
import { describeVerdicts, type Verdicts, type VerifierResult } from "@smtp-internal/dkim-verify";
import { expect } from "vitest";

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The octets of a binary string (one character per octet). */
export function latin1(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** A binary string of `data` (one character per octet). */
export function binary(data: Uint8Array): string {
  return Buffer.from(data).toString("latin1");
}

/** Every chunk of `stream`, joined. */
export async function collect(
  stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(Uint8Array.from(chunk));
  return Buffer.concat(chunks);
}

/** node:crypto's SHA-256: an implementation independent of the one under test. */
export function sha256Of(): Sha256Like {
  return createHash("sha256");
}

/** A "hash" that keeps what it was given, to compare canonical bytes directly. */
export function recorder(): Sha256Like & { text(): string; calls: Uint8Array[] } {
  const calls: Uint8Array[] = [];
  let text = "";
  return {
    calls,
    update(data: Uint8Array) {
      calls.push(data);
      text += binary(data);
    },
    digest: () => new Uint8Array(32),
    text: () => text,
  };
}

/**
 * Both verifiers (those that ran) passed every one of the `signatures` signatures, counting
 * only those of `domain` when given (a message may carry older signatures of other domains).
 */
export function expectAllPass(verdicts: Verdicts, signatures: number, domain?: string): void {
  const ours = (results: VerifierResult[]) =>
    domain === undefined ? results : results.filter((r) => r.domain === domain);
  const mine: Verdicts = {
    mailauth: ours(verdicts.mailauth),
    dkimpy: verdicts.dkimpy && ours(verdicts.dkimpy),
  };
  expect(describeVerdicts(mine).filter((line) => !line.endsWith(": pass"))).toEqual([]);
  expect(mine.mailauth).toHaveLength(signatures);
  if (mine.dkimpy) expect(mine.dkimpy).toHaveLength(signatures);
}

/** Every signature failed at every verifier that ran. */
export function expectAllFail(verdicts: Verdicts, signatures: number): void {
  expect(describeVerdicts(verdicts).filter((line) => line.endsWith(": pass"))).toEqual([]);
  expect(verdicts.mailauth).toHaveLength(signatures);
  if (verdicts.dkimpy) expect(verdicts.dkimpy).toHaveLength(signatures);
}
