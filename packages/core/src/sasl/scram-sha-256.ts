import type { SaslClient } from "./sasl-client.ts";

/** TEMPORARY stub: the implementation lands in the next commit. */
export function generateScramNonce(randomBytes: (length: number) => Uint8Array): string {
  return String(randomBytes(0).length);
}

/** TEMPORARY stub: the implementation lands in the next commit. */
export function createScramSha256Client(_user: string, _pass: string, _nonce: string): SaslClient {
  throw new Error("SCRAM-SHA-256 not implemented yet");
}
