import { type Deferred, deferred } from "./deferred.ts";
import { GuardedTransport } from "./guarded-transport.ts";
import { MEMORY_ERRORS } from "./memory-transport.ts";

/** A transport whose every primitive waits until the test settles it. */
export class Scripted extends GuardedTransport {
  readonly log: string[] = [];
  readonly pending: { op: string; done: Deferred<unknown> }[] = [];
  destroyed = 0;
  /** What `upgrade` sees of `ending` once its step is settled. */
  endingAfterUpgrade: boolean | undefined;
  /** What each `destroy` call saw of `ending`. */
  readonly endingAtDestroy: boolean[] = [];
  /** When set, `send` throws it at once instead of returning a promise. */
  throwOnSend: unknown;

  /** With `halfClose`, the runtime can end its sending direction (`endWrite` is a step). */
  readonly #halfClose: boolean;

  constructor(secure = false, options: { halfClose?: boolean } = {}) {
    super({ peer: { host: "mx.test", port: 25 }, errors: MEMORY_ERRORS, secure });
    this.#halfClose = options.halfClose === true;
  }

  #step<T>(op: string): Promise<T> {
    this.log.push(op);
    const done = deferred<unknown>();
    this.pending.push({ op, done });
    return done.promise as Promise<T>;
  }

  /** Settles the oldest pending primitive named `op`. */
  settle(op: string, outcome: { value?: unknown; error?: unknown } = {}): void {
    const index = this.pending.findIndex((p) => p.op.startsWith(op));
    if (index < 0) throw new Error(`no pending ${op}: ${this.log.join(", ")}`);
    const [step] = this.pending.splice(index, 1);
    if ("error" in outcome) step?.done.reject(outcome.error);
    else step?.done.resolve(outcome.value);
  }

  protected receive(): Promise<Uint8Array | null> {
    return this.#step("receive");
  }
  /** `ending`, as a subclass sees it. */
  get isEnding(): boolean {
    return this.ending;
  }

  protected send(bytes: Uint8Array): Promise<void> {
    if (this.throwOnSend !== undefined) throw this.throwOnSend;
    return this.#step(`send ${new TextDecoder().decode(bytes)}`);
  }
  protected async upgrade(servername: string): Promise<void> {
    await this.#step(`upgrade ${servername}`);
    this.endingAfterUpgrade = this.ending;
  }
  protected override endWrite(): void | Promise<void> {
    if (this.#halfClose) return this.#step("endWrite");
  }
  protected shutdown(): Promise<void> {
    return this.#step("shutdown");
  }
  protected destroy(): void {
    this.destroyed++;
    this.endingAtDestroy.push(this.ending);
    // A destroyed runtime settles whatever it still had running.
    for (const step of this.pending.splice(0)) step.done.reject(new Error("destroyed"));
  }
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const tick = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};
export const reset = Object.assign(new Error("reset"), { code: "ECONNRESET" });
