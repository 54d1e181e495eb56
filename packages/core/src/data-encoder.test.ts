import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "./bytes.ts";
import { DataEncoder } from "./data-encoder.ts";
import { BodyStaging } from "./lent-buffers.ts";
import { equalBytes } from "./replay/bytes.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * The byte-at-a-time encoder that preceded the scanning one, kept as the reference its output
 * must equal (concatenated) for every input and every chunking.
 */
class ReferenceEncoder {
  readonly #dotStuff: boolean;
  #lineStart = true;
  #pendingCr = false;

  constructor(dotStuff: boolean) {
    this.#dotStuff = dotStuff;
  }

  push(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length * 2 + 2);
    let n = 0;
    for (const byte of chunk) {
      if (this.#pendingCr) {
        this.#pendingCr = false;
        out[n++] = 0x0d;
        out[n++] = 0x0a;
        this.#lineStart = true;
        if (byte === 0x0a) continue;
      }
      if (byte === 0x0d) {
        this.#pendingCr = true;
      } else if (byte === 0x0a) {
        out[n++] = 0x0d;
        out[n++] = 0x0a;
        this.#lineStart = true;
      } else {
        if (this.#lineStart && byte === 0x2e && this.#dotStuff) out[n++] = 0x2e;
        out[n++] = byte;
        this.#lineStart = false;
      }
    }
    return out.subarray(0, n);
  }

  end(): Uint8Array {
    let tail = "";
    if (this.#pendingCr || !this.#lineStart) tail += "\r\n";
    if (this.#dotStuff) tail += ".\r\n";
    return enc.encode(tail);
  }
}

/** `bytes` split at `cuts` (any numbers, reduced into range), as views in order. */
function chunksOf(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(at, p));
    at = p;
  }
  return chunks;
}

/** Splits `bytes` at `cuts` and encodes the pieces in order. */
function encodeParts(
  encoder: { push(c: Uint8Array): Uint8Array; end(): Uint8Array },
  bytes: Uint8Array,
  cuts: number[],
): Uint8Array[] {
  return [...chunksOf(bytes, cuts).map((chunk) => encoder.push(chunk)), encoder.end()];
}

function encodeWith(
  encoder: { push(c: Uint8Array): Uint8Array; end(): Uint8Array },
  bytes: Uint8Array,
  cuts: number[],
): Uint8Array {
  return concatBytes(encodeParts(encoder, bytes, cuts));
}

function encode(chunks: string[], options: { dotStuff?: boolean } = {}): string {
  const e = new DataEncoder(options);
  return chunks.map((c) => dec.decode(e.push(enc.encode(c)))).join("") + dec.decode(e.end());
}

/** Bodies made of the bytes that matter (CR, LF, dot, CRLF, CRLF-dot) and some others. */
const bodyArb = fc
  .array(
    fc.oneof(
      fc.constantFrom("\r", "\n", ".", "\r\n", "\r\n.", "\r\n..", "\n.", "\r."),
      fc.constantFrom("a", "Zz", "\x00", "\x0c", "\x0e", "\xff"),
      fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)),
    ),
    { maxLength: 120 },
  )
  .map((tokens) => Uint8Array.from(tokens.join(""), (c) => c.charCodeAt(0)));

describe("DataEncoder", () => {
  it("R6 smuggling: golden outputs", () => {
    expect(encode(["a\n.\r\nMAIL FROM:<x>"])).toBe("a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n");
    expect(encode(["a\r.\r\n"])).toBe("a\r\n..\r\n.\r\n");
    expect(encode(["a\n.\n"])).toBe("a\r\n..\r\n.\r\n");
    expect(encode([".leading"])).toBe("..leading\r\n.\r\n");
    expect(encode(["no eol"])).toBe("no eol\r\n.\r\n");
    expect(encode(["ends in CR\r"])).toBe("ends in CR\r\n.\r\n");
    expect(encode([""])).toBe(".\r\n");
    expect(encode(["a\r\n\r\n"])).toBe("a\r\n\r\n.\r\n");
    expect(encode(["a\r\r\n\x00\r\x00"])).toBe("a\r\n\r\n\x00\r\n\x00\r\n.\r\n");
  });

  it("R6 holds across chunks that end after CR, after LF and after a dot", () => {
    expect(encode(["a\r", "\n.", "\r", "\n"])).toBe("a\r\n..\r\n.\r\n");
    expect(encode(["a\n", ".", "b"])).toBe("a\r\n..b\r\n.\r\n");
    expect(encode(["a\r", ".b"])).toBe("a\r\n..b\r\n.\r\n");
    expect(encode(["a\r", "\r", "b"])).toBe("a\r\n\r\nb\r\n.\r\n");
  });

  it("only normalises line ends without dot-stuffing (BDAT)", () => {
    expect(encode(["a\n.b\r", "x"], { dotStuff: false })).toBe("a\r\n.b\r\nx\r\n");
    expect(encode(["a\r", "\n"], { dotStuff: false })).toBe("a\r\n");
    expect(encode(["a\r"], { dotStuff: false })).toBe("a\r\n");
    expect(encode([""], { dotStuff: false })).toBe("");
  });

  it("returns a chunk that needs no change itself, and one ending on CR without the CR", () => {
    const e = new DataEncoder();
    const clean = [enc.encode("Subject: x\r\n"), enc.encode("\r\nbody\r\n"), enc.encode("more")];
    for (const chunk of clean) expect(e.push(chunk)).toBe(chunk);
    const endsOnCr = enc.encode("\r\nline\r");
    const held = e.push(endsOnCr);
    expect(held.buffer).toBe(endsOnCr.buffer); // a view, not a copy
    expect(dec.decode(held)).toBe("\r\nline");
    const dotted = enc.encode("\n.x\r\n");
    const out = e.push(dotted);
    expect(dec.decode(out)).toBe("\r\n..x\r\n");
    expect(out.buffer).not.toBe(dotted.buffer); // a new array
    // The state after a line end carries over: a chunk starting with a dot changes.
    expect(dec.decode(e.push(enc.encode(".y")))).toBe("..y");
    expect(dec.decode(e.end())).toBe("\r\n.\r\n");
  });

  it("a chunk of 16 KiB or more: itself when clean, else a view of at most 2 × length + 2 bytes", () => {
    const line = "base64-like line of seventy-six characters, without any dot at its start.\r\n";
    const clean = enc.encode(line.repeat(Math.ceil((16 * 1024) / line.length)));
    expect(clean.length).toBeGreaterThanOrEqual(16 * 1024);
    const e = new DataEncoder();
    expect(e.push(clean)).toBe(clean);
    const dotted = enc.encode(`.${line}`.repeat(Math.ceil((16 * 1024) / line.length)));
    const out = e.push(dotted);
    expect(out.length).toBe(dotted.length + Math.ceil((16 * 1024) / line.length));
    expect(out.buffer.byteLength).toBeLessThanOrEqual(2 * dotted.length + 2);
    // The worst case fills the room exactly: a CR held back from the chunk before, then a
    // chunk whose every byte doubles ("." at a line start, bare LF), short and long.
    for (const n of [1, 3, 16 * 1024 - 1, 16 * 1024 + 1]) {
      const worst = new DataEncoder();
      expect(worst.push(enc.encode("x\r"))).toEqual(enc.encode("x"));
      const body = enc.encode(`.${"\n.".repeat((n - 1) / 2)}`);
      expect(body.length).toBe(n);
      const encoded = worst.push(body);
      expect(encoded.length).toBe(2 * n + 2);
      expect(encoded.buffer.byteLength).toBe(2 * n + 2);
      expect(dec.decode(encoded)).toBe(`\r\n..${"\r\n..".repeat((n - 1) / 2)}`);
    }
    // One byte under the threshold takes the short path, with the same output.
    const short = dotted.subarray(0, 16 * 1024 - 1);
    const reference = new ReferenceEncoder(true);
    expect([...new DataEncoder().push(short)]).toEqual([...reference.push(short)]);
  });

  describe("a long chunk (16 KiB)", () => {
    const LONG = 16 * 1024;
    const pad = "x".repeat(LONG);

    /** Pushes `text` as one chunk and returns the result with whether it is the chunk's own memory. */
    function pushOne(e: DataEncoder, text: string): { out: string; own: boolean } {
      const chunk = enc.encode(text);
      const out = e.push(chunk);
      return { out: dec.decode(out), own: out.buffer === chunk.buffer };
    }

    it("is returned as it is when nothing changes: one line without any line end", () => {
      const e = new DataEncoder();
      const chunk = enc.encode(pad);
      expect(e.push(chunk)).toBe(chunk);
      // It ended inside a line: the last line gets its CRLF, a dot after it is no line start.
      const dotStuffed = new DataEncoder();
      dotStuffed.push(chunk);
      expect(dec.decode(dotStuffed.push(enc.encode(".y")))).toBe(".y");
      expect(dec.decode(e.end())).toBe("\r\n.\r\n");
    });

    it("is returned as it is when its dots are not at a line start, or not stuffed (BDAT)", () => {
      const midLine = new DataEncoder();
      expect(dec.decode(midLine.push(enc.encode("a")))).toBe("a");
      const dotFirst = enc.encode(`.${pad}\r\n`);
      expect(midLine.push(dotFirst)).toBe(dotFirst);
      expect(dec.decode(midLine.end())).toBe(".\r\n");

      const bdat = new DataEncoder({ dotStuff: false });
      const dotted = enc.encode(`.${pad}\r\n.b\r\n.`);
      expect(bdat.push(dotted)).toBe(dotted);
      expect(dec.decode(bdat.end())).toBe("\r\n");
    });

    it("ending on a CR: itself without the CR, which goes out as CRLF with the next byte", () => {
      for (const body of [pad, `a\r\n${pad}`, `${pad}\r\n\r\nb`]) {
        const e = new DataEncoder();
        const { out, own } = pushOne(e, `${body}\r`);
        expect(own).toBe(true);
        expect(out).toBe(body);
        expect(dec.decode(e.push(enc.encode("y")))).toBe("\r\ny");
        expect(dec.decode(e.end())).toBe("\r\n.\r\n");
      }
      // A lone CR last, after a line end: the held CR is an empty line of its own.
      const e = new DataEncoder();
      expect(pushOne(e, `${pad}\r\n\r`)).toEqual({ out: `${pad}\r\n`, own: true });
      expect(dec.decode(e.end())).toBe("\r\n.\r\n");
    });

    it("after a chunk that ended on a CR, its CRLF comes first", () => {
      const e = new DataEncoder();
      expect(dec.decode(e.push(enc.encode("a\r")))).toBe("a");
      expect(pushOne(e, `b${pad}`)).toEqual({ out: `\r\nb${pad}`, own: false });
      expect(dec.decode(e.end())).toBe("\r\n.\r\n");
    });

    it("turns a bare LF into CRLF: with no CR at all, before a CR, before a CR that ends it", () => {
      expect(encode([`${pad}\ny`])).toBe(`${pad}\r\ny\r\n.\r\n`);
      expect(encode([`${pad}\ny\r\nz`])).toBe(`${pad}\r\ny\r\nz\r\n.\r\n`);
      const e = new DataEncoder();
      expect(pushOne(e, `${pad}\ny\r`)).toEqual({ out: `${pad}\r\ny`, own: false });
      expect(dec.decode(e.end())).toBe("\r\n.\r\n");
      // The bare LF at index 1, the first position after a byte.
      const early = new DataEncoder();
      expect(pushOne(early, `x\ny${pad}\r`)).toEqual({ out: `x\r\ny${pad}`, own: false });
      expect(dec.decode(early.end())).toBe("\r\n.\r\n");
    });

    it("turns a bare CR into CRLF", () => {
      expect(encode([`${pad}\ry\r\n`])).toBe(`${pad}\r\ny\r\n.\r\n`);
      expect(encode([`${pad}\r\r\n`])).toBe(`${pad}\r\n\r\n.\r\n`);
    });

    it("finds a line end, a bare CR or LF and a leading dot at each octet of a word, at each alignment", () => {
      // Chunks of 64 octets or more are read in 4-aligned words, and only the words holding
      // an octet below 0x0e are walked; shorter ones are walked octet by octet. Lengths at,
      // just under and just over 64, and a long one. Fillers: just below (0x0c, walked
      // though clean), at (0x0e) and with the high bit (0x8d, 0x8a: CR and LF plus 0x80,
      // which must not count as line ends).
      const tokens = ["\r\n", "\r", "\n", "\r\n.", "\r\n\r\n", "."];
      for (const size of [63, 64, 65, LONG]) {
        for (const filler of [0x78, 0x0c, 0x0e, 0x8d, 0x8a]) {
          for (let offset = 0; offset < 4; offset++) {
            for (let at = size - 12; at <= size - 9; at++) {
              for (const token of tokens) {
                for (const dotStuff of [true, false]) {
                  const backing = new Uint8Array(offset + size + 8).fill(filler);
                  backing.set(enc.encode(token), offset + at);
                  const chunk = backing.subarray(offset, offset + size);
                  const e = new DataEncoder({ dotStuff });
                  const out = e.push(chunk);
                  const reference = new ReferenceEncoder(dotStuff);
                  const expected = concatBytes([reference.push(chunk), reference.end()]);
                  expect(equalBytes(concatBytes([out, e.end()]), expected)).toBe(true);
                  // Nothing to change (CRLF, a dot inside a line, any dot with BDAT): the chunk itself.
                  const bare = /\r(?!\n)|(?<!\r)\n/.test(token);
                  const clean = !bare && (!dotStuff || !token.includes("\n."));
                  expect(out === chunk).toBe(clean);
                }
              }
            }
          }
        }
      }
    });

    it("reads a chunk of 64 octets or more a word at a time, a shorter one octet by octet", () => {
      // Counts the chunk's element reads (the 32-bit view over its buffer is not counted).
      // Base64-like lines: 62 letters and CRLF, so 64 octets a line.
      const readsOf = (bytes: Uint8Array): number => {
        let reads = 0;
        const counted = new Proxy(bytes, {
          get(target, key) {
            if (typeof key === "string" && /^\d+$/.test(key)) reads++;
            const value = Reflect.get(target, key, target);
            return typeof value === "function" ? value.bind(target) : value;
          },
        });
        expect(new DataEncoder().push(counted)).toBe(counted);
        return reads;
      };
      const line = `${"Ab".repeat(31)}\r\n`;
      expect(readsOf(enc.encode(line))).toBeLessThan(16); // 64 octets: words
      expect(readsOf(enc.encode(line.slice(1)))).toBeGreaterThanOrEqual(63); // 63: octets
      const long = enc.encode(line.repeat(LONG / 64));
      expect(readsOf(long)).toBeLessThan(long.length / 6);
    });

    it("checks the first octet of every aligned word after a line end for a dot", () => {
      // A CRLF that ends exactly before a word boundary: the dot is the word's first octet.
      for (let offset = 0; offset < 4; offset++) {
        const backing = new Uint8Array(offset + LONG + 8).fill(0x78);
        const chunk = backing.subarray(offset, offset + LONG + 4);
        const dotAt = LONG - ((LONG + offset) % 4); // 4-aligned in memory
        chunk.set(enc.encode("\r\n."), dotAt - 2);
        expect(dec.decode(new DataEncoder().push(chunk)).indexOf("\r\n..")).toBe(dotAt - 2);
        expect(new DataEncoder({ dotStuff: false }).push(chunk)).toBe(chunk);
      }
    });

    it("doubles a dot at the start of any line, not only the first, and checks every line", () => {
      expect(encode([`a\r\n.b${pad}`])).toBe(`a\r\n..b${pad}\r\n.\r\n`);
      expect(encode([`a\r\nb${pad}\r\n.c`])).toBe(`a\r\nb${pad}\r\n..c\r\n.\r\n`);
      expect(encode([`a\r\nb${pad}\nc`])).toBe(`a\r\nb${pad}\r\nc\r\n.\r\n`);
    });
  });

  it("an encoded chunk's memory is at most twice its length and two, wherever the first change is", () => {
    // Short chunks are copied up to their first change, then encoded: "ab" then a bare LF.
    const out = new DataEncoder().push(enc.encode("ab\n"));
    expect(dec.decode(out)).toBe("ab\r\n");
    expect(out.buffer.byteLength).toBeLessThanOrEqual(2 * 3 + 2);
    fc.assert(
      fc.property(
        bodyArb,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (bytes, cuts, dotStuff) => {
          const e = new DataEncoder({ dotStuff });
          for (const chunk of chunksOf(bytes, cuts)) {
            const encoded = e.push(chunk);
            if (encoded.buffer !== chunk.buffer) {
              expect(encoded.buffer.byteLength).toBeLessThanOrEqual(2 * chunk.length + 2);
            }
          }
        },
      ),
    );
  });

  it("property: the same as the reference for long chunks (the word-skipping path)", () => {
    fc.assert(
      fc.property(bodyArb, fc.nat({ max: 300 }), fc.boolean(), (bytes, repeat, dotStuff) => {
        // Repeated past 16 KiB, cut at the threshold and around it.
        const copies = Math.ceil((16 * 1024 + 1) / Math.max(bytes.length, 1)) + (repeat % 3);
        const long = concatBytes(Array.from({ length: copies }, () => bytes));
        const cuts = [16 * 1024, 16 * 1024 + 1 + repeat, 2 * 16 * 1024 + repeat];
        const reference = encodeParts(new ReferenceEncoder(dotStuff), long, cuts);
        const parts = encodeParts(new DataEncoder({ dotStuff }), long, cuts);
        expect(parts.map((p) => [...p])).toEqual(reference.map((p) => [...p]));
      }),
      { numRuns: 200 },
    );
  });

  it("refuses use after end", () => {
    const e = new DataEncoder();
    e.end();
    expect(() => e.push(enc.encode("x"))).toThrow(new Error("DataEncoder: push after end"));
    expect(() => e.end()).toThrow(new Error("DataEncoder: end twice"));
  });

  it("ends with an array of its own each time: changing one leaves the next end() as it was", () => {
    // The four tails (with or without the CRLF, with or without the dot) come from fixed
    // bytes: a caller that keeps or changes one must not change what the next encoder ends with.
    for (const dotStuff of [true, false]) {
      for (const body of ["line\r\n", "line"]) {
        const first = new DataEncoder({ dotStuff });
        first.push(enc.encode(body));
        const tail = first.end();
        const expected = dec.decode(tail);
        tail.fill(0x58);
        const second = new DataEncoder({ dotStuff });
        second.push(enc.encode(body));
        expect(dec.decode(second.end()), `${dotStuff} ${JSON.stringify(body)}`).toBe(expected);
      }
    }
  });

  it("property: byte-identical to the reference encoder, chunk by chunk, for any body and chunking", () => {
    fc.assert(
      fc.property(
        bodyArb,
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (bytes, cuts, dotStuff) => {
          // Chunk by chunk, not only in total: BDAT frames each output chunk on its own.
          const reference = encodeParts(new ReferenceEncoder(dotStuff), bytes, cuts);
          const parts = encodeParts(new DataEncoder({ dotStuff }), bytes, cuts);
          expect(parts.map((p) => [...p])).toEqual(reference.map((p) => [...p]));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("property: never changes the caller's chunk", () => {
    fc.assert(
      fc.property(bodyArb, fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const copy = bytes.slice();
        encodeWith(new DataEncoder(), bytes, cuts);
        expect(bytes).toEqual(copy);
      }),
    );
  });

  it("R6 property: same bytes for any chunking, only CRLF line ends, the terminator is the only CRLF.CRLF", () => {
    fc.assert(
      fc.property(bodyArb, fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const whole = encodeWith(new DataEncoder(), bytes, []);
        expect(encodeWith(new DataEncoder(), bytes, cuts)).toEqual(whole);
        const text = Array.from(whole, (b) => String.fromCharCode(b)).join("");
        // Every CR is followed by LF and every LF preceded by CR.
        expect(/\r(?!\n)|(?<!\r)\n/.test(text)).toBe(false);
        const wire = `\r\n${text}`; // the DATA line's CRLF precedes the body
        expect(wire.indexOf("\r\n.\r\n")).toBe(wire.length - 5);
        expect(text.endsWith(".\r\n")).toBe(true);
      }),
    );
  });
});

describe("DataEncoder with room (the wire's staging)", () => {
  it("writes a changed chunk into the room it is given, trimmed to what it used", () => {
    const staging = new BodyStaging();
    const encoder = new DataEncoder();
    const out = encoder.push(enc.encode(".a\nb"), staging);
    expect(dec.decode(out)).toBe("..a\r\nb");
    expect(staging.owns(out)).toBe(true);
    // Trimmed: the next view starts right after the used part.
    expect(staging.take(1)!.byteOffset).toBe(out.length);
    // An unchanged chunk is returned as it is: no room taken.
    const clean = enc.encode("c\r\n");
    expect(encoder.push(clean, staging)).toBe(clean);
  });

  it("falls back to an array of its own when the room has none, with the same bytes", () => {
    const none = { take: () => undefined, trim: () => new Uint8Array(0) };
    const out = new DataEncoder().push(enc.encode(".x\r\n"), none);
    expect(dec.decode(out)).toBe("..x\r\n");
  });

  it("gives the same bytes with or without room, for any input and chunking", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 10 }), (texts) => {
        const staging = new BodyStaging();
        const plain = new DataEncoder();
        const roomy = new DataEncoder();
        const a: Uint8Array[] = [];
        const b: Uint8Array[] = [];
        for (const text of texts) {
          a.push(plain.push(enc.encode(text)));
          b.push(roomy.push(enc.encode(text), staging).slice());
        }
        a.push(plain.end());
        b.push(roomy.end());
        expect(equalBytes(concatBytes(b), concatBytes(a))).toBe(true);
      }),
    );
  });
});
