/**
 * `@smtp/core/transport-kit`: what every transport shares, for the runtime transports of
 * `@smtp` and for anyone writing another one (an edge runtime, a proxy).
 *
 * A transport only moves bytes, upgrades TLS and reports what its runtime said; deadlines
 * and protocol checks live in the session and its driver. The kit holds the rest:
 *
 * - {@link GuardedTransport}, the guard: one read at a time, ordered writes that resolve
 *   when their buffer may be reused, idempotent `close`/`abort`, nothing after close, and
 *   nothing left running once `close()` resolves; a runtime implements five primitives;
 * - {@link toTransportError}: the one error shape (kinds `connection`, `tls`, `protocol`,
 *   `aborted`, with `detail` such as `ECONNREFUSED` or `CERT_HAS_EXPIRED`), from a
 *   {@link RuntimeErrorTable} of the runtime's codes;
 * - {@link ChunkQueue} for runtimes that push data, with back-pressure;
 * - {@link raceSignal}, to honour the caller's `AbortSignal` while connecting;
 * - {@link memoryTransportPair}, an in-memory connection for tests.
 *
 * Like the rest of `@smtp/core` it does no I/O and uses no timer.
 *
 * @module
 */

export type { Connector, ConnectTarget, Transport } from "../transport.ts";
export { ChunkQueue, type ChunkQueueOptions } from "./chunk-queue.ts";
export { GuardedTransport, type GuardedTransportInit } from "./guarded-transport.ts";
export {
  MEMORY_ERRORS,
  MemoryTransport,
  type MemoryTransportPair,
  type MemoryTransportPairOptions,
  memoryTransportPair,
} from "./memory-transport.ts";
export { peerName, type TransportPeer } from "./peer.ts";
export { type AbortSignalLike, type RaceSignalOptions, raceSignal } from "./race-signal.ts";
export {
  type RuntimeErrorTable,
  type RuntimeFailure,
  type RuntimeFailureKind,
  type TransportStage,
  toTransportError,
} from "./runtime-error.ts";
export type { TlsOptions } from "./tls-options.ts";
export { abortedError, closedError, starttlsInjectionError } from "./transport-errors.ts";
