// The content module's readers: content made a source, a web stream read through its
// reader, and in-memory bytes cut into blocks.
import { describe, expect, it } from "vitest";
import { READ_BLOCK } from "../src/base64.ts";
import { openContent, readStream, toContentSource } from "../src/content.ts";
import { refusal } from "./support.ts";

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of source) out.push(chunk);
  return out;
}

/** A stream-like object whose reader gives `values` and records what was asked of it. */
function recordingStream(values: (Uint8Array | undefined)[]) {
  const calls: string[] = [];
  let next = 0;
  const stream = {
    getReader: () => ({
      read: async () => {
        calls.push("read");
        return next < values.length
          ? { done: false, value: values[next++] }
          : { done: true, value: undefined };
      },
      cancel: async () => {
        calls.push("cancel");
      },
      releaseLock: () => {
        calls.push("releaseLock");
      },
    }),
  };
  return { stream: stream as unknown as ReadableStream<Uint8Array>, calls };
}

describe("toContentSource", () => {
  it("refuses null and functions, even a function that is async iterable", () => {
    const text = "f: must be a string, Uint8Array, ReadableStream or AsyncIterable";
    expect(refusal(() => toContentSource("f", null as never, undefined))).toBe(text);
    const iterableFunction = Object.assign(() => undefined, {
      async *[Symbol.asyncIterator]() {
        yield new Uint8Array(1);
      },
    });
    expect(refusal(() => toContentSource("f", iterableFunction as never, undefined))).toBe(text);
  });

  it("names the size after the content field, only its final .content replaced", () => {
    expect(refusal(() => toContentSource("x.contents[0].content", "abc", 2))).toBe(
      "x.contents[0].size: is 2 but the content has 3 octets",
    );
    expect(refusal(() => toContentSource("raw", "abc", -1))).toBe(
      "raw.size: must be a non-negative integer",
    );
  });
});

describe("readStream", () => {
  it("reads to the end, skips chunks without a value, and does not cancel a finished stream", async () => {
    const a = new Uint8Array([1]);
    const b = new Uint8Array([2]);
    const { stream, calls } = recordingStream([a, undefined, b]);
    expect(await collect(readStream(stream))).toEqual([a, b]);
    expect(calls).toEqual(["read", "read", "read", "read", "releaseLock"]);
  });

  it("cancels the stream when the consumer stops early, then releases it", async () => {
    const { stream, calls } = recordingStream([new Uint8Array(1), new Uint8Array(1)]);
    for await (const _ of readStream(stream)) break;
    expect(calls).toEqual(["read", "cancel", "releaseLock"]);
  });
});

describe("openContent of bytes", () => {
  const sizes = async (length: number) =>
    (await collect(openContent({ kind: "bytes", bytes: new Uint8Array(length) }))).map(
      (c) => c.length,
    );

  it("yields blocks of READ_BLOCK octets and never an empty one", async () => {
    expect(await sizes(0)).toEqual([]);
    expect(await sizes(1)).toEqual([1]);
    expect(await sizes(READ_BLOCK - 1)).toEqual([READ_BLOCK - 1]);
    expect(await sizes(READ_BLOCK)).toEqual([READ_BLOCK]);
    expect(await sizes(READ_BLOCK + 1)).toEqual([READ_BLOCK, 1]);
    expect(await sizes(2 * READ_BLOCK)).toEqual([READ_BLOCK, READ_BLOCK]);
  });
});
