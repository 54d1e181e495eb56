import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMessage, toBytes } from "../src/index.ts";
import { layout, type StreamLeaf, toSegments } from "../src/parts.ts";
import { fixedOptions } from "./support.ts";

const bytes = (...octets: number[]) => new Uint8Array(octets);
const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");

/** What `layout` writes for a top-level text leaf with this body, as one string. */
function topLevel(body: Uint8Array): string {
  const out: (string | Uint8Array | StreamLeaf)[] = [];
  layout({ kind: "text", headers: "H: 1\r\n", body, eightBit: false }, "", out, true);
  return out.map((p) => (typeof p === "string" ? p : latin1(p as Uint8Array))).join("");
}

describe("layout: a top-level text body ends in exactly one CRLF", () => {
  it.each([
    ["empty", bytes(), "\r\n"],
    ["a", bytes(0x61), "a\r\n"],
    ["LF alone", bytes(0x0a), "\n\r\n"],
    ["CR alone", bytes(0x0d), "\r\r\n"],
    ["CRLF", bytes(0x0d, 0x0a), "\r\n"],
    ["ab", bytes(0x61, 0x62), "ab\r\n"],
    ["a LF", bytes(0x61, 0x0a), "a\n\r\n"],
    ["CR a", bytes(0x0d, 0x61), "\ra\r\n"],
    ["LF CR", bytes(0x0a, 0x0d), "\n\r\r\n"],
    ["a CRLF", bytes(0x61, 0x0d, 0x0a), "a\r\n"],
  ])("body %s", (_label, body, ending) => {
    expect(topLevel(body)).toBe(`H: 1\r\n\r\n${ending}`);
  });

  it("a whole message: the text's own final CRLF is not doubled, a missing one is added", async () => {
    const end = async (text: string) => {
      const out = latin1(
        await toBytes(createMessage({ from: "a@example.test", text }, fixedOptions())),
      );
      return out.slice(out.indexOf("\r\n\r\n") + 4);
    };
    expect(await end("abc")).toBe("abc\r\n");
    expect(await end("abc\r\n")).toBe("abc\r\n");
    expect(await end("\r\n")).toBe("\r\n");
    expect(await end("")).toBe("\r\n");
  });
});

describe("toSegments", () => {
  const leaf: StreamLeaf = {
    kind: "base64",
    headers: "",
    source: { kind: "bytes", bytes: bytes(1) },
    field: "f",
  };

  it("a leaf alone, or leaves side by side, add no empty segments", () => {
    expect(toSegments([leaf])).toEqual([leaf]);
    expect(toSegments([leaf, leaf])).toEqual([leaf, leaf]);
    expect(toSegments(["a", leaf, bytes(2, 3)])).toEqual([bytes(0x61), leaf, bytes(2, 3)]);
  });

  it("joins each run of strings and bytes into one array", () => {
    expect(toSegments(["ab", bytes(1, 2), "é", leaf, "z", bytes()])).toEqual([
      bytes(0x61, 0x62, 1, 2, 0xc3, 0xa9),
      leaf,
      bytes(0x7a),
    ]);
  });

  it("strings with unpaired surrogates are encoded exactly (U+FFFD each), whatever follows", () => {
    const fffd = [0xef, 0xbf, 0xbd];
    expect(toSegments(["a", bytes(7, 8), "\ud800", leaf, "z"])).toEqual([
      bytes(0x61, 7, 8, ...fffd),
      leaf,
      bytes(0x7a),
    ]);
    expect(toSegments(["\ud800\ud800", bytes(9)])).toEqual([bytes(...fffd, ...fffd, 9)]);
    expect(toSegments(["\ud800é", bytes(9)])).toEqual([bytes(...fffd, 0xc3, 0xa9, 9)]);
  });

  it("property: the segments' bytes are the pieces' UTF-8 in order, leaves kept apart", () => {
    const piece = fc.oneof(
      fc.string({ unit: "binary", maxLength: 6 }),
      fc.string({
        unit: fc.integer({ min: 0xd7ff, max: 0xe000 }).map((c) => String.fromCharCode(c)),
        maxLength: 4,
      }),
      fc.uint8Array({ maxLength: 6 }),
      fc.constant(leaf),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const expected: Uint8Array[] = [];
        let run: number[] | undefined;
        for (const p of pieces) {
          if (p === leaf) {
            if (run !== undefined) expected.push(new Uint8Array(run));
            run = undefined;
            expected.push(leaf as never);
          } else {
            run ??= [];
            run.push(...(typeof p === "string" ? new TextEncoder().encode(p) : (p as Uint8Array)));
          }
        }
        if (run !== undefined) expected.push(new Uint8Array(run));
        expect(toSegments(pieces)).toEqual(expected);
      }),
    );
  });
});
