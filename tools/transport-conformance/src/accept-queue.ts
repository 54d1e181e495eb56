import type { ServerConnection } from "./harness.ts";

/** Connections a test server accepted, handed to `accept()` calls in order. */
export class AcceptQueue {
  /** How many connections arrived so far. */
  accepted = 0;
  readonly #ready: ServerConnection[] = [];
  readonly #waiting: ((connection: ServerConnection) => void)[] = [];

  /** A connection arrived. */
  add(connection: ServerConnection): void {
    this.accepted++;
    const waiter = this.#waiting.shift();
    if (waiter) waiter(connection);
    else this.#ready.push(connection);
  }

  /** The next connection, now or once it arrives. */
  next(): Promise<ServerConnection> {
    const ready = this.#ready.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}
