// Files named by `path` and supplied by BuildOptions.files: what a file source must be,
// how each kind of stream its open() returns is read, and which paths filePathsOf lists.
import { describe, expect, it } from "vitest";
import {
  type BuildOptions,
  createMessage,
  filePathsOf,
  type Message,
  type MessageInput,
  MimeError,
  toBytes,
} from "../src/index.ts";
import { fixedOptions, latin1, refusal } from "./support.ts";

const base: MessageInput = { from: "a@example.test", to: "b@example.test" };
const HELLO = new TextEncoder().encode("hello");

function withFile(file: unknown, path = "dir/h.txt"): Message {
  const files = (() => file) as NonNullable<BuildOptions["files"]>;
  return createMessage({ ...base, attachments: [{ path }] }, fixedOptions({ files }));
}

describe("a file source", () => {
  it("must be an object with an open() function", () => {
    const text = "attachments[0].path: the file source must have an open() function";
    expect(refusal(() => withFile(null))).toBe(text);
    expect(refusal(() => withFile("hello"))).toBe(text);
    expect(refusal(() => withFile({ size: 5 }))).toBe(text);
    expect(refusal(() => withFile({ size: 5, open: "x" }))).toBe(text);
    expect(
      refusal(() => withFile(Object.assign(() => undefined, { size: 5, open: () => [] }))),
    ).toBe(text);
  });

  it("has a non-negative integer size; 0 is an empty file", async () => {
    const text = "attachments[0].path: the file source must have a non-negative integer size";
    expect(refusal(() => withFile({ size: 1.5, open: () => [] }))).toBe(text);
    expect(refusal(() => withFile({ size: -1, open: () => [] }))).toBe(text);
    const empty = withFile({ size: 0, open: () => [] });
    const bytes = await toBytes(empty);
    expect(empty.size).toBe(bytes.length);
    expect(latin1(bytes)).toContain('filename="h.txt"');
  });

  it("opens as a ReadableStream, a reader-only stream, an async iterable or an array of chunks", async () => {
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(HELLO);
          controller.close();
        },
      });
    const opens = [
      stream,
      () => ({ getReader: () => stream().getReader() }),
      async function* () {
        yield HELLO;
      },
      () => [HELLO],
    ];
    for (const open of opens) {
      const message = withFile({ size: 5, open });
      const text = latin1(await toBytes(message));
      expect(text).toContain("\r\n\r\naGVsbG8=\r\n");
      // Opened afresh on every pass.
      expect(latin1(await toBytes(message))).toBe(text);
    }
  });

  it("whose open() returns no stream fails the pass with a MimeError naming the path", async () => {
    for (const returned of [null, undefined, 5, "hello", {}]) {
      const message = withFile({ size: 5, open: () => returned });
      const pass = toBytes(message);
      await expect(pass).rejects.toBeInstanceOf(MimeError);
      await expect(pass).rejects.toThrow(
        "attachments[0].path: the file source's open() must return a ReadableStream or AsyncIterable",
      );
    }
  });
});

describe("path values", () => {
  it("a path that is not a string is refused as such", () => {
    const message = (path: unknown) => () =>
      createMessage({ ...base, attachments: [{ path: path as string }] }, fixedOptions());
    expect(refusal(message(5))).toBe("attachments[0].path: must be a non-empty string without NUL");
    expect(refusal(message(null))).toBe(
      "attachments[0].path: must be a non-empty string without NUL",
    );
  });

  it("the file name comes from the path's last component; none after a trailing separator", async () => {
    const file = { size: 5, open: () => [HELLO] };
    const named = latin1(await toBytes(withFile(file, "C:\\docs\\report 1.txt")));
    expect(named).toContain('filename="report 1.txt"');
    const unnamed = latin1(await toBytes(withFile(file, "dir/")));
    expect(unnamed).not.toMatch(/filename|name=/);
  });
});

describe("filePathsOf", () => {
  it("lists nothing for a message without content fields, or no message", () => {
    expect(filePathsOf(base)).toEqual([]);
    expect(filePathsOf(undefined as never)).toEqual([]);
    expect(filePathsOf("x" as never)).toEqual([]);
  });

  it("lists the files of each content field given alone", () => {
    expect(filePathsOf({ ...base, attachments: [{ path: "a.txt" }] })).toEqual([
      { field: "attachments[0].path", path: "a.txt" },
    ]);
    expect(
      filePathsOf({ ...base, alternatives: [{ contentType: "text/x-a", path: "b.txt" }] }),
    ).toEqual([{ field: "alternatives[0].path", path: "b.txt" }]);
    expect(filePathsOf({ ...base, icalEvent: { path: "c.ics" } })).toEqual([
      { field: "icalEvent.path", path: "c.ics" },
    ]);
  });

  it("skips an empty path (createMessage refuses it)", () => {
    expect(filePathsOf({ ...base, attachments: [{ path: "" }, { path: "d" }] })).toEqual([
      { field: "attachments[1].path", path: "d" },
    ]);
  });
});
