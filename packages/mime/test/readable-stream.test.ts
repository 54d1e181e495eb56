import { afterEach, describe, expect, it, vi } from "vitest";
import { createMessage, type Message, type MessageInput, toReadableStream } from "../src/index.ts";
import { fixedOptions } from "./support.ts";

const base: MessageInput = { from: "a@example.test", to: "b@example.test", text: "t" };

/** Lets every queued pull of a ReadableStream run (no timing: only the task queue drains). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * The message, counting how many chunks its stream() iterators were asked for; `withReturn`
 * false gives iterators without the optional return().
 */
function counted(message: Message, withReturn = true): { message: Message; pulls: () => number } {
  let pulls = 0;
  const wrapped: Message = {
    ...message,
    stream: (options) => {
      const iterator = message.stream(options)[Symbol.asyncIterator]();
      return {
        [Symbol.asyncIterator]: () => ({
          next: () => {
            pulls++;
            return iterator.next();
          },
          ...(withReturn ? { return: (value?: unknown) => iterator.return!(value) } : {}),
        }),
      };
    },
  };
  return { message: wrapped, pulls: () => pulls };
}

describe("toReadableStream", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("is undefined on a runtime without a ReadableStream global", () => {
    vi.stubGlobal("ReadableStream", undefined);
    expect(toReadableStream(createMessage(base, fixedOptions()))).toBeUndefined();
  });

  it("pulls nothing before the first read, then one chunk per read", async () => {
    const { message, pulls } = counted(
      createMessage({ ...base, attachments: [{ content: "x" }] }, fixedOptions()),
    );
    const reader = toReadableStream(message)!.getReader();
    await settle();
    expect(pulls()).toBe(0);
    await reader.read();
    await settle();
    expect(pulls()).toBe(1);
    await reader.read();
    await settle();
    expect(pulls()).toBe(2);
  });

  it("can be cancelled before anything was read", async () => {
    const stream = toReadableStream(createMessage(base, fixedOptions()))!;
    await expect(stream.cancel("stop")).resolves.toBeUndefined();
  });

  it("can be cancelled after a read when the message's iterator has no return()", async () => {
    const { message } = counted(createMessage(base, fixedOptions()), false);
    const reader = toReadableStream(message)!.getReader();
    await reader.read();
    await expect(reader.cancel("stop")).resolves.toBeUndefined();
  });

  it("cancelling it cancels the attachment's source", async () => {
    let cancelled: unknown = "no";
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(65_536));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const message = createMessage({ ...base, attachments: [{ content: source }] }, fixedOptions());
    const reader = toReadableStream(message)!.getReader();
    // The fixed bytes before the attachment, then its first encoded block.
    await reader.read();
    await reader.read();
    expect(cancelled).toBe("no");
    await reader.cancel("enough");
    expect(cancelled).not.toBe("no");
  });
});
