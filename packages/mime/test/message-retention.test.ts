// A built message keeps its bytes alive, and nothing else of the build: a pool holds every
// message handed to it until it is sent, so whatever a message drags along (the options,
// the parsed input, a second copy of the text) is paid for once per message in flight, in
// memory and in garbage collection.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createMessage } from "../src/index.ts";
import type { BuildOptions, MessageInput } from "../src/types.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += chunk.length;
  return n;
}

/** Builds a message, then reports which of its build's objects are still reachable after a full GC. */
async function survivors(input: () => MessageInput) {
  let options: BuildOptions | undefined = {
    now: new Date(),
    randomBytes: (n) => new Uint8Array(n).fill(3),
  };
  let built: MessageInput | undefined = input();
  const optionsRef = new WeakRef(options);
  const inputRef = new WeakRef(built);
  const message = createMessage(built, options);
  options = undefined;
  built = undefined;
  // A WeakRef's target stays alive until the end of the current job: collect in the next.
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  return {
    options: optionsRef.deref() !== undefined,
    input: inputRef.deref() !== undefined,
    // The message still works after the collection: its bytes were kept.
    bytes: await bytesOf(message.stream()),
  };
}

describe("what a built message keeps alive", () => {
  it("its bytes, not its options nor its input (a text body, an attachment)", async () => {
    const text = await survivors(() => ({
      from: "a@example.test",
      to: ["b@example.test"],
      subject: "hi",
      text: "line\n".repeat(100),
    }));
    expect(text).toEqual({ options: false, input: false, bytes: expect.any(Number) });
    expect(text.bytes).toBeGreaterThan(600);

    const attached = await survivors(() => ({
      from: "a@example.test",
      to: ["b@example.test"],
      html: "<p>hi</p>",
      attachments: [{ filename: "a.bin", content: new Uint8Array(100) }],
    }));
    expect(attached).toEqual({ options: false, input: false, bytes: expect.any(Number) });
    expect(attached.bytes).toBeGreaterThan(300);
  });
});
