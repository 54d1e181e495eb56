import type { Action, Capabilities, JobId, SendJob, SmtpError } from "@smtp/core";

/**
 * The part of `@smtp/core`'s `Session` that the driver uses. Written as an interface so
 * the driver can be tested against a scripted fake.
 *
 * @since 0.1.0
 */
export interface SessionLike {
  connected(now: number): void;
  receiveData(chunk: Uint8Array, now: number): void;
  receiveEof(now: number): void;
  tlsEstablished(now: number): void;
  handleTimeout(now: number): void;
  transportFailed(error: SmtpError, now: number): void;
  send(job: SendJob, now: number): JobId;
  bodyChunk(id: JobId, chunk: Uint8Array, now: number): void;
  bodyEnd(id: JobId, now: number): void;
  noop(now: number): void;
  quit(now: number): void;
  pollTransmit(): Uint8Array | null;
  pollAction(): Action | null;
  pollTimeout(): number | null;
  readonly state: string;
  readonly capabilities: Capabilities | undefined;
  readonly idle: boolean;
}
