import { SETUP_ROWS } from "./setup-table.ts";

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

/** Every state, in the order the diagram lists them. */
const STATES: readonly SessionState[] = [
  "connecting",
  "greeting",
  "ehlo",
  "helo",
  "starttls",
  "tls-pending",
  "auth",
  "ready",
  "mail",
  "data",
  "quitting",
  "closed",
];

/** One transition of the session's state: what the diagram draws. @since 0.2.0 */
export interface Transition {
  from: SessionState;
  to: SessionState;
  /** The event that moves it. */
  on: string;
}

/**
 * The session's state while transactions run, derived from their stages: a body being
 * written or an end of data awaited is `data`, an envelope in flight `mail`, nothing
 * `ready`. These are the moves that derivation makes, and QUIT's.
 *
 * @since 0.2.0
 */
export const TRANSACTION_TRANSITIONS: readonly Transition[] = [
  { from: "ready", to: "mail", on: "send" },
  { from: "mail", to: "data", on: "354 / BDAT" },
  { from: "mail", to: "ready", on: "transaction done" },
  { from: "data", to: "mail", on: "end of data, next envelope" },
  { from: "data", to: "ready", on: "end of data" },
  { from: "ready", to: "quitting", on: "quit" },
  { from: "quitting", to: "closed", on: "221 / end of stream / deadline" },
];

/**
 * The engine's transition table: for each state, the states it may move to and the event
 * that moves it. It is drawn from the set-up machine's rows (`SETUP_ROWS`) and the
 * transaction states above; the session refuses any other move, and `docs/states.md` is
 * rendered from it (`scripts/render-states.ts`).
 *
 * @since 0.1.0
 */
export const TRANSITIONS: Readonly<Record<SessionState, readonly StateEdge[]>> = tableOf([
  ...SETUP_ROWS.map(({ from, to, label }) => ({ from, to, on: label })),
  ...TRANSACTION_TRANSITIONS,
]);

/** An arrow of the diagram, from the state it belongs to. @since 0.2.0 */
export interface StateEdge {
  /** The state it leads to. */
  to: SessionState;
  /** The event that moves the session. */
  on: string;
}

function tableOf(transitions: readonly Transition[]): Record<SessionState, StateEdge[]> {
  const table = Object.fromEntries(STATES.map((state) => [state, []])) as unknown as Record<
    SessionState,
    StateEdge[]
  >;
  for (const { from, to, on } of transitions) {
    const edges = table[from];
    // Rows that differ only in their guard draw one arrow.
    if (!edges.some((e) => e.to === to && e.on === on)) edges.push({ to, on });
  }
  return table;
}

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
