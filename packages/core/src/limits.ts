import type { Limits, Timeouts } from "./session-types.ts";

/**
 * Default per-phase deadlines in milliseconds: client-friendly values with RFC 5321
 * §4.5.3.2 as the upper bound (greeting 30 s, command 60 s, DATA→354 60 s, data block
 * 3 min, final dot 10 min, QUIT 5 s).
 *
 * @since 0.1.0
 */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  greeting: 30_000,
  command: 60_000,
  dataStart: 60_000,
  dataBlock: 180_000,
  dataEnd: 600_000,
  quit: 5_000,
});

/**
 * Default bounds on what a server can make the engine buffer: a reply line of at most
 * 8 KiB (RFC 5321 allows 512 octets; real servers exceed it a little) and 1 000 lines
 * per reply.
 *
 * @since 0.1.0
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxLineLength: 8192,
  maxReplyLines: 1000,
});
