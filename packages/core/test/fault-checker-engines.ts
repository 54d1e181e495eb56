import { SmtpError } from "../src/errors.ts";
import type { ReplaySession } from "../src/replay/index.ts";
import { Session } from "../src/session.ts";
import type { Action, SessionOptions } from "../src/session-types.ts";

/**
 * Engines for testing `findFaultToleranceViolations` itself: the real `Session`, seen through
 * a proxy that records what the checker does to it, or that breaks one rule on purpose.
 */

/** What one engine was driven through: its calls and what it wrote, in order. */
export type Trace = string[];

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** How a call shows in a {@link Trace}. */
function describeCall(key: string, args: unknown[]): string {
  switch (key) {
    case "receiveData":
    case "bodyChunk":
      return `${key} ${JSON.stringify(text(args[key === "receiveData" ? 0 : 1] as Uint8Array))}`;
    case "transportFailed": {
      const e = args[0] as SmtpError;
      return `transportFailed ${e.kind}/${e.detail} retryable=${e.retryable} "${e.message}"`;
    }
    case "handleTimeout":
      return `handleTimeout at ${args[0]}`;
    default:
      return key;
  }
}

const INPUTS = new Set([
  "connected",
  "receiveData",
  "receiveEof",
  "tlsEstablished",
  "handleTimeout",
  "transportFailed",
  "send",
  "bodyChunk",
  "bodyEnd",
  "noop",
  "quit",
]);

/** Hooks that change what the real engine does; each gets the real engine. */
export interface Misbehaviour {
  /** Replaces an action (null: drop it); may return several. */
  action?: (action: Action, inner: Session) => Action | Action[] | null;
  /** Replaces `pollTransmit`'s answer. */
  transmit?: (bytes: Uint8Array | null, inner: Session) => Uint8Array | null;
  /** Replaces `pollTimeout`'s answer. */
  timeout?: (deadline: number | null, inner: Session) => number | null;
  /** Actions to hand out before the real engine's next one (at each `pollAction`). */
  inject?: () => Action[];
  /** Replaces an input call; `call` runs the real one. */
  input?: (key: string, args: unknown[], call: () => unknown) => unknown;
}

/**
 * A `createSession` for the checker: each engine it creates gets a fresh {@link Trace}
 * pushed onto `traces` (in creation order) and misbehaves as `misbehave` says (a function:
 * called once per engine, for hooks that keep state of their own).
 */
export function engine(misbehave: Misbehaviour | (() => Misbehaviour) = {}, traces: Trace[] = []) {
  return (options: SessionOptions): ReplaySession => {
    const how = typeof misbehave === "function" ? misbehave() : misbehave;
    const inner = new Session(options);
    const trace: Trace = [];
    traces.push(trace);
    const pending: Action[] = [];
    return new Proxy(inner, {
      get(target, key) {
        if (key === "pollAction")
          return (): Action | null => {
            if (how.inject) pending.push(...how.inject());
            while (pending.length === 0) {
              const action = target.pollAction();
              if (action === null) return null;
              const replaced = how.action ? how.action(action, target) : action;
              if (replaced !== null) pending.push(...[replaced].flat());
            }
            return pending.shift() as Action;
          };
        if (key === "pollTransmit")
          return (): Uint8Array | null => {
            const real = target.pollTransmit();
            const bytes = how.transmit ? how.transmit(real, target) : real;
            if (bytes !== null) trace.push(`write ${JSON.stringify(text(bytes))}`);
            return bytes;
          };
        if (key === "pollTimeout")
          return (): number | null =>
            how.timeout ? how.timeout(target.pollTimeout(), target) : target.pollTimeout();
        const value = Reflect.get(target, key, target);
        if (typeof key === "string" && INPUTS.has(key))
          return (...args: unknown[]) => {
            trace.push(describeCall(key, args));
            const call = () => (value as (...a: unknown[]) => unknown).apply(target, args);
            return how.input ? how.input(key, args, call) : call();
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
}

/** Writes one line more once it has asked to close (a fresh one per engine). */
export function writesAfterClose(): Misbehaviour {
  let closed = false;
  let once = true;
  return {
    action: (a) => {
      if (a.type === "close") closed = true;
      return a;
    },
    transmit: (bytes) => {
      if (bytes !== null || !closed || !once) return bytes;
      once = false;
      return new TextEncoder().encode("LATE\r\n");
    },
  };
}

/** One message, pipelined, over plain SMTP: 77 server bytes in 5 batches, 5 client writes. */
export const SEND = `@job {"starttls":"never","messages":[{"from":"a@example.test","to":["b@example.test"],"body":"Hi\\n"}]}
S: 220 mx
C: EHLO client.example.test
S: 250-mx
S: 250 PIPELINING
C: MAIL FROM:<a@example.test>
C: RCPT TO:<b@example.test>
C: DATA
S: 250 ok
S: 250 ok
S: 354 go
C<<EOD
Hi
.
EOD
S: 250 queued
C: QUIT
S: 221 bye
-- eof --
`;
/** The server batches of {@link SEND}. */
export const BATCHES = [
  "220 mx\r\n",
  "250-mx\r\n250 PIPELINING\r\n",
  "250 ok\r\n250 ok\r\n354 go\r\n",
  "250 queued\r\n",
  "221 bye\r\n",
];

export { SmtpError };
