import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitAt } from "../test/chunks.ts";
import { base64BodySize, base64Stream, encodeBase64Lines } from "./base64.ts";
import { encodeWords } from "./encoded-word.ts";
import { foldHeader } from "./header-fold.ts";
import { parameterWords } from "./parameters.ts";
import { encodeQuotedPrintable } from "./quoted-printable.ts";
import { encodeText } from "./text-body.ts";

function wrapped(bytes: Uint8Array): string {
  if (bytes.length === 0) return "\r\n";
  return `${Buffer.from(bytes)
    .toString("base64")
    .replace(/.{1,76}/g, "$&\r\n")}`;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<string> {
  let out = "";
  for await (const chunk of source) out += Buffer.from(chunk).toString("latin1");
  return out;
}

function decodeQp(text: string): Buffer {
  const bytes: number[] = [];
  const soft = text.replace(/=\r\n/g, "");
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === "=") {
      bytes.push(Number.parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(soft.charCodeAt(i));
  }
  return Buffer.from(bytes);
}

describe("base64", () => {
  it("matches the platform's base64 in 76-column CRLF lines, for any bytes and any chunking", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (bytes, cuts) => {
          const chunks = splitAt(bytes, cuts);
          const out = await collect(
            base64Stream(
              (async function* () {
                yield* chunks;
              })(),
            ),
          );
          expect(out).toBe(wrapped(bytes));
          expect(out.length).toBe(base64BodySize(bytes.length));
          expect(Buffer.from(encodeBase64Lines(bytes, 0, bytes.length)).toString("latin1")).toBe(
            wrapped(bytes),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("in reuse mode too, for large input in odd chunks: the same lines, each block bounded and whole lines", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300_000 }),
        fc.array(fc.integer({ min: 1, max: 120_000 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (length, sizes, reuse) => {
          const bytes = new Uint8Array(length).map((_, i) => (i * 131 + (i >> 7)) & 255);
          const chunks: Uint8Array[] = [];
          for (let at = 0, k = 0; at < length; k++) {
            const size = sizes[k % sizes.length]!;
            chunks.push(bytes.subarray(at, at + size));
            at += size;
          }
          let out = "";
          for await (const block of base64Stream(
            (async function* () {
              yield* chunks;
            })(),
            reuse,
          )) {
            expect(block.length).toBeLessThanOrEqual(1150 * 78);
            const text = Buffer.from(block).toString("latin1");
            expect(text.endsWith("\r\n")).toBe(true);
            out += text; // copied now: in reuse mode the next block overwrites this one
          }
          expect(out).toBe(wrapped(bytes));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("encodes large input in bounded blocks (about 64 KiB in, never the whole)", async () => {
    const big = new Uint8Array(1_000_000).map((_, i) => i * 31);
    let largest = 0;
    let total = 0;
    for await (const chunk of base64Stream(
      (async function* () {
        yield big;
      })(),
    )) {
      largest = Math.max(largest, chunk.length);
      total += chunk.length;
    }
    expect(total).toBe(base64BodySize(big.length));
    expect(largest).toBeLessThanOrEqual(90_000);
  });
});

describe("quoted-printable", () => {
  it("round-trips any text, lines at most 76 characters, no trailing whitespace", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 400 }), (raw) => {
        const text = raw.replace(/\r\n|\r|\n/g, "\r\n");
        const encoded = Buffer.from(encodeQuotedPrintable(Buffer.from(text, "utf8"))).toString(
          "latin1",
        );
        expect(decodeQp(encoded).toString("utf8")).toBe(text);
        for (const line of encoded.split("\r\n")) {
          expect(line.length).toBeLessThanOrEqual(76);
          expect(line).not.toMatch(/[ \t]$/);
          expect(line).toMatch(/^[\x21-\x7e \t]*$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("chooses 7bit, 8bit or quoted-printable from the content", () => {
    expect(encodeText("plain\nascii", false).encoding).toBe("7bit");
    expect(encodeText("x".repeat(998), false).encoding).toBe("7bit");
    expect(encodeText("x".repeat(999), false).encoding).toBe("quoted-printable");
    expect(encodeText("grüße", false).encoding).toBe("quoted-printable");
    expect(encodeText("grüße", true).encoding).toBe("8bit");
    expect(encodeText(`${"ü".repeat(500)}`, true).encoding).toBe("quoted-printable");
    expect(encodeText("nul\u0000inside", true).encoding).toBe("quoted-printable");
    // A 7bit body is the normalised text itself, with its UTF-8 length.
    expect(encodeText("a\rb\nc\r\nd", false).body).toEqual({
      text: "a\r\nb\r\nc\r\nd",
      octets: 10,
    });
    expect(encodeText("grüße\n", true).body).toEqual({ text: "grüße\r\n", octets: 9 });
  });
});

describe("encoded-words (RFC 2047)", () => {
  it("never exceed 75 characters and never split a character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 200 }), (text) => {
        const words = encodeWords(text);
        let decoded = "";
        for (const word of words) {
          expect(word.length).toBeLessThanOrEqual(75);
          const m = /^=\?UTF-8\?([QB])\?([^?]*)\?=$/.exec(word);
          expect(m).not.toBeNull();
          const payload = m![2]!;
          const bytes =
            m![1] === "B"
              ? Buffer.from(payload, "base64")
              : decodeQp(payload.replace(/_/g, " ").replace(/=\r\n/g, ""));
          // fatal: a split multi-byte character would throw here.
          decoded += new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        }
        expect(decoded).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("writes Jan KOVAČIČ as a readable Q word", () => {
    expect(encodeWords("Jan KOVAČIČ")).toEqual(["=?UTF-8?Q?Jan_KOVA=C4=8CI=C4=8C?="]);
  });
});

describe("folding", () => {
  // Mostly short words, some empty, some longer than a line's room (up to 90 characters).
  const foldWord = fc.oneof(
    fc.stringMatching(/^[!-~]{0,12}$/),
    fc.constant(""),
    fc.integer({ min: 40, max: 90 }).map((n) => "w".repeat(n)),
  );

  it("folds at 78 columns between words and unfolds to the same value", () => {
    fc.assert(
      fc.property(fc.array(foldWord, { maxLength: 30 }), (words) => {
        const header = foldHeader("Subject", words);
        expect(header.endsWith("\r\n")).toBe(true);
        const lines = header.slice(0, -2).split("\r\n");
        lines.forEach((line, i) => {
          // A fold is a space before a word: never a blank continuation line.
          if (i > 0) expect(line).toMatch(/^ [^ ]/);
          // Only a single word longer than the room left may overflow 78 (empty words never
          // fold, so their spaces may trail past it): such a line holds that word alone,
          // after the field name on the first line.
          const value = i === 0 ? line.slice("Subject:".length) : line;
          if (line.trimEnd().length > 78) expect(value.trim()).not.toContain(" ");
        });
        expect(header.slice(0, -2).replace(/\r\n/g, "")).toBe(
          `Subject:${words.map((w) => ` ${w}`).join("")}`,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("folds when a word would make the line 79 octets, not at 78", () => {
    // "Subject: a " is 11 octets: a 67-octet word ends the line at 78.
    expect(foldHeader("Subject", ["a", "x".repeat(67)])).toBe(`Subject: a ${"x".repeat(67)}\r\n`);
    expect(foldHeader("Subject", ["a", "x".repeat(68)])).toBe(
      `Subject: a\r\n ${"x".repeat(68)}\r\n`,
    );
  });

  it("RFC 2231 segments stay short and never split a character", () => {
    const params = parameterWords("filename", "数".repeat(40));
    expect(params.length).toBeGreaterThan(1);
    for (const [word] of params) {
      expect(word!.length).toBeLessThanOrEqual(78);
      expect(word).toMatch(/^filename\*\d+\*=(utf-8'')?(%[0-9A-F]{2})+$/);
      expect(decodeURIComponent(word!.split("=")[1]!.replace("utf-8''", ""))).toMatch(/^数+$/);
    }
  });
});
