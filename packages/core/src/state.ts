/**
 * The states of a {@link Session}.
 *
 * @since 0.1.0
 */
export type SessionState =
  | "connecting"
  | "greeting"
  | "ehlo"
  | "helo"
  | "starttls"
  | "tls-pending"
  | "auth"
  | "ready"
  | "mail"
  | "data"
  | "quitting"
  | "closed";

/**
 * The engine's transition table: for each state, the states it may move to and the event
 * that moves it. The session refuses any other move, and `docs/states.md` is rendered from
 * this table (`scripts/render-states.ts`).
 *
 * @since 0.1.0
 */
export const TRANSITIONS: Readonly<
  Record<
    SessionState,
    readonly {
      /** The state reached. */
      to: SessionState;
      /** What causes the move. */
      on: string;
    }[]
  >
> = {
  connecting: [{ to: "greeting", on: "connected" }],
  greeting: [
    { to: "ehlo", on: "220" },
    { to: "quitting", on: "refused (554)" },
  ],
  ehlo: [
    { to: "helo", on: "500/502, HELO fallback" },
    { to: "starttls", on: "250, STARTTLS wanted" },
    { to: "auth", on: "250, credentials" },
    { to: "ready", on: "250" },
    { to: "quitting", on: "refused / TLS required" },
  ],
  helo: [
    { to: "auth", on: "250, credentials" },
    { to: "ready", on: "250" },
    { to: "quitting", on: "refused" },
  ],
  starttls: [
    { to: "tls-pending", on: "220" },
    { to: "auth", on: "refused, opportunistic, credentials" },
    { to: "ready", on: "refused, opportunistic" },
    { to: "quitting", on: "refused, TLS required" },
  ],
  "tls-pending": [{ to: "ehlo", on: "tlsEstablished" }],
  auth: [
    { to: "ready", on: "235" },
    { to: "quitting", on: "refused" },
  ],
  ready: [
    { to: "mail", on: "send" },
    { to: "quitting", on: "quit" },
  ],
  mail: [
    { to: "data", on: "354 / BDAT" },
    { to: "ready", on: "transaction done" },
  ],
  data: [
    { to: "mail", on: "end of data, next envelope" },
    { to: "ready", on: "end of data" },
  ],
  quitting: [{ to: "closed", on: "221 / end of stream / deadline" }],
  closed: [],
};

/**
 * Whether the table allows `from` → `to`. Besides the table, every state but `closed` may
 * move to `quitting` (a failure the server is told about with QUIT) and to `closed` (a fatal
 * error, 421, end-of-stream, timeout, or the end of QUIT).
 *
 * @since 0.1.0
 */
export function canTransition(from: SessionState, to: SessionState): boolean {
  if (from === "closed") return false;
  return to === "closed" || to === "quitting" || TRANSITIONS[from].some((t) => t.to === to);
}
