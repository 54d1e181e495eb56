import type { Message } from "./types.ts";

/** The parts of the web ReadableStream constructor this file uses (declared here, not as a global). */
interface PullController {
  enqueue(chunk: Uint8Array): void;
  close(): void;
}
type ReadableStreamConstructorLike = new (
  source: {
    pull: (controller: PullController) => Promise<void>;
    cancel: (reason?: unknown) => Promise<void>;
  },
  strategy: { highWaterMark: number },
) => ReadableStream<Uint8Array>;

/**
 * The message as a web `ReadableStream` (pull-based: one chunk per pull, so the
 * consumer's back-pressure reaches the content sources). Returns `undefined` when the
 * runtime has no `ReadableStream` global.
 *
 * @since 0.1.0
 */
export function toReadableStream(message: Message): ReadableStream<Uint8Array> | undefined {
  const Ctor = (globalThis as { ReadableStream?: ReadableStreamConstructorLike }).ReadableStream;
  if (Ctor === undefined) return undefined;
  let iterator: AsyncIterator<Uint8Array> | undefined;
  return new Ctor(
    {
      async pull(controller) {
        iterator ??= message.stream()[Symbol.asyncIterator]();
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel(reason) {
        await iterator?.return?.(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
