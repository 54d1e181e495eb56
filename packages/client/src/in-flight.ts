import type { JobId } from "@smtp/core";
import type { QueuedSend } from "./job.ts";

/**
 * The messages a connection's session holds, by job id: at most the in-flight window, found
 * by a scan. Not a `Map`: V8 keeps a `Map`'s outgrown hash tables, each still holding the
 * entries it had and a link to the table that replaced it, until a full collection. A
 * connection that lives long enough for its table to reach the old generation then kept
 * every later message reachable through that chain, so each one was promoted (about 1.5 KB
 * per message) instead of dying young. An array of at most a few dozen pairs keeps none.
 *
 * @since 0.3.0
 */
export class InFlight {
  #ids: JobId[] = [];
  #sends: QueuedSend[] = [];

  /** How many messages are held. */
  get size(): number {
    return this.#ids.length;
  }

  /** Holds `send` under `id`. */
  add(id: JobId, send: QueuedSend): void {
    this.#ids.push(id);
    this.#sends.push(send);
  }

  /** The message held under `id`, if any. */
  get(id: JobId): QueuedSend | undefined {
    // indexOf gives -1 for an id not held, and `[-1]` is undefined.
    return this.#sends[this.#ids.indexOf(id)];
  }

  /** Lets go of the message held under `id` and returns it, if there was one. */
  take(id: JobId): QueuedSend | undefined {
    const at = this.#ids.indexOf(id);
    if (at < 0) return undefined;
    this.#ids.splice(at, 1);
    return this.#sends.splice(at, 1)[0];
  }

  /** Lets go of every message held and returns them, oldest first. */
  takeAll(): QueuedSend[] {
    const sends = this.#sends;
    this.#ids = [];
    this.#sends = [];
    return sends;
  }
}
