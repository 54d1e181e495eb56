import type { Action, SessionApi } from "./session-types.ts";

/**
 * Step 1 of the polling contract ({@link SessionApi}), for a synchronous driver: writes
 * every chunk `pollTransmit()` returns, then handles one `pollAction()`, until both are
 * empty. `write` gets each chunk in order; `handle` each action (it may feed the session
 * more input, whose output this same loop drains).
 *
 * @since 0.2.0
 */
export function drainSession(
  session: Pick<SessionApi, "pollTransmit" | "pollAction">,
  write: (bytes: Uint8Array) => void,
  handle: (action: Action) => void,
): void {
  for (;;) {
    for (let bytes = session.pollTransmit(); bytes !== null; bytes = session.pollTransmit())
      write(bytes);
    const action = session.pollAction();
    if (action === null) return;
    handle(action);
  }
}

/** Whether `session` waits for nothing it has a deadline for: a broken engine (R11). */
export function waitsWithoutDeadline(session: SessionApi): boolean {
  return session.state !== "closed" && !session.idle && session.pollTimeout() === null;
}
