// The shape of a built message: `replayable` is an own property either way (so `{ ...message }`
// copies it, as the client's DKIM signing and the queue's worker do), a plain `true` unless
// the message has one-shot stream content. A getter in the object literal would put every
// message in V8's dictionary mode: about 450 bytes more per message in flight and slower
// property reads, for the usual message that can never stop being replayable.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createMessage } from "../src/index.ts";
import type { BuildOptions, MessageInput } from "../src/types.ts";

setFlagsFromString("--allow-natives-syntax");
const hasFastProperties = runInNewContext("(o) => %HasFastProperties(o)") as (o: object) => boolean;

const options = (files?: BuildOptions["files"]): BuildOptions => ({
  now: new Date(0),
  randomBytes: (n) => new Uint8Array(n).fill(7),
  ...(files === undefined ? {} : { files }),
});
const base: MessageInput = { from: "a@example.test", to: ["b@example.test"], subject: "hi" };
const once = () => ({
  content: (async function* () {
    yield new Uint8Array(3);
  })(),
});

async function drain(stream: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of stream) {
    // read to the end
  }
}

describe("a built message's replayable property", () => {
  it("is a plain data property, true, on a message without one-shot content (fast properties)", () => {
    const file = { size: 3, open: () => [new Uint8Array(3)] as Iterable<Uint8Array> };
    const messages = [
      createMessage({ ...base, text: "hello\n" }, options()),
      createMessage({ ...base, attachments: [{ content: new Uint8Array(3) }] }, options()),
      // A file read by path is opened again for every pass: never used up either.
      createMessage(
        { ...base, attachments: [{ path: "a.bin" }] },
        options((path) => (path === "a.bin" ? (file as never) : undefined)),
      ),
    ];
    for (const message of messages) {
      expect(Object.getOwnPropertyDescriptor(message, "replayable")).toMatchObject({
        value: true,
        enumerable: true,
        configurable: true,
      });
      expect(hasFastProperties(message)).toBe(true);
      expect({ ...message }.replayable).toBe(true);
    }
  });

  it("follows the content on a single-pass message, and a spread copies what it is then", async () => {
    const message = createMessage({ ...base, attachments: [once()] }, options());
    const descriptor = Object.getOwnPropertyDescriptor(message, "replayable");
    // As an object literal's getter would be: own, enumerable and configurable.
    expect([descriptor?.enumerable, descriptor?.configurable]).toEqual([true, true]);
    expect(typeof descriptor?.get).toBe("function");
    const before = { ...message };
    expect([message.singlePass, message.replayable, before.replayable]).toEqual([true, true, true]);
    await drain(message.stream());
    expect(message.replayable).toBe(false);
    expect({ ...message }.replayable).toBe(false);
    expect(before.replayable).toBe(true);
  });
});
