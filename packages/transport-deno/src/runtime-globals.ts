/**
 * Web-platform globals every supported runtime has (Deno, Node, Bun), typed locally
 * because this package compiles against ES2022 alone (`types: []`, no DOM lib).
 */

/** The part of `AbortSignal` the connector listens to. @since 0.1.0 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** The part of `AbortController` used to cancel a pending `Deno.connect`. @since 0.1.0 */
export interface AbortControllerLike {
  readonly signal: AbortSignalLike;
  abort(reason?: unknown): void;
}

interface TimerGlobals {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  AbortController: new () => AbortControllerLike;
}

const globals = globalThis as unknown as TimerGlobals;

/**
 * Calls `callback` once after `ms` milliseconds; the returned function cancels it.
 *
 * @since 0.1.0
 */
export function startTimer(ms: number, callback: () => void): () => void {
  const handle = globals.setTimeout(callback, ms);
  return () => globals.clearTimeout(handle);
}

/**
 * A new `AbortController`.
 *
 * @since 0.1.0
 */
export function newAbortController(): AbortControllerLike {
  return new globals.AbortController();
}
