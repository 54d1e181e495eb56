import { describe, expect, it } from "vitest";
import { DataEncoder, ReplyParser } from "../packages/core/src/internal/index.ts";
import { quickConfig } from "./config.ts";
import { measureEngine } from "./engine.ts";
import { bodyWorkloads, replyWorkloads, sameBytes, unstuff } from "./engine-workloads.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

// The engine section's correctness check: what it accepts and what it refuses.
describe("unstuff", () => {
  it("takes one dot off each stuffed line and the terminator off the end", () => {
    const back = unstuff(bytes("a\r\n..b\r\n...\r\n.\r\n"));
    expect(back).toEqual(bytes("a\r\n.b\r\n..\r\n"));
    expect(unstuff(bytes(".\r\n"))).toEqual(bytes(""));
  });

  it("refuses a line starting with a single dot (a body that could end DATA early)", () => {
    expect(unstuff(bytes("a\r\n.b\r\n.\r\n"))).toMatch(/one dot at byte 3/);
  });

  it("refuses output without CRLF . CRLF at the end", () => {
    expect(unstuff(bytes("a\r\n"))).toMatch(/does not end/);
    expect(unstuff(bytes("a.\r\n"))).toMatch(/does not end/);
  });
});

describe("the engine workloads", () => {
  it("un-stuff to their input after the DATA encoder, chunk by chunk", () => {
    for (const w of bodyWorkloads()) {
      const encoder = new DataEncoder();
      const parts = w.chunks.map((c) => Buffer.from(encoder.push(c)));
      const back = unstuff(Buffer.concat([...parts, encoder.end()]));
      expect(typeof back).not.toBe("string");
      expect(sameBytes(back as Uint8Array, w.body)).toBe(true);
    }
  });

  it("the dotted body needs stuffing on every line, the text body on none", () => {
    const [text, dotted] = [bodyWorkloads()[0]!, bodyWorkloads()[2]!];
    const lines = (b: Uint8Array) => Buffer.from(b).toString("latin1").split("\r\n").slice(0, -1);
    expect(lines(text.body).some((l) => l.startsWith("."))).toBe(false);
    expect(lines(dotted.body).every((l) => l.startsWith("."))).toBe(true);
    expect(text.body.length).toBeGreaterThanOrEqual(1 << 20);
  });

  it("reply streams are whole replies in CRLF lines", () => {
    for (const w of replyWorkloads()) {
      const text = w.chunks.map((c) => Buffer.from(c).toString("latin1")).join("");
      expect(text).toBe(w.replies.map((r) => `${r.join("\r\n")}\r\n`).join(""));
      expect(w.bytes).toBe(text.length);
    }
  });
});

describe("measureEngine", () => {
  it("does not time an encoder whose output fails the check: a problem, the rows unverified", async () => {
    const config = { ...quickConfig(), engineMs: 2 };
    // No dot-stuffing and no terminator: what a broken DATA encoder could send.
    class Unstuffed extends DataEncoder {
      constructor() {
        super({ dotStuff: false });
      }
    }
    const result = await measureEngine(config, { ReplyParser, DataEncoder: Unstuffed });
    expect(result.problems).toHaveLength(4);
    expect(result.problems[0]).toMatch(/^engine: DATA encoder, text, 4 KiB chunks: .*does not end/);
    for (const row of result.dotStuffing) {
      expect(row.verified).toBe(false);
      expect(row.timeVsCopy.n).toBe(0);
    }
    for (const row of result.replies) expect(row.verified).toBe(true);
  });
});
