import type { Limits, Timeouts } from "./session-types.ts";

/**
 * Default per-phase deadlines in milliseconds: the RFC 5321 §4.5.3.2 values. Greeting
 * 5 min (§4.5.3.2.1), commands such as EHLO, STARTTLS, AUTH, MAIL, RCPT, RSET, NOOP 5 min
 * (§4.5.3.2.2, .3), DATA until 354 2 min (§4.5.3.2.4), each data block 3 min (§4.5.3.2.5),
 * the final dot 10 min (§4.5.3.2.6). The RFC gives QUIT no value: 5 s, since the session
 * is over either way. Every one is configurable through `SessionOptions.timeouts`.
 *
 * @since 0.1.0
 */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({
  greeting: 300_000,
  command: 300_000,
  dataStart: 120_000,
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
