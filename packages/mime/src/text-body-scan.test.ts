// The buffer a text body is scanned in: made at the first scan, at least 4 KiB, grown to a
// text's worst-case UTF-8 size up to 64 KiB, never past it (a longer text gets an array of
// its own), and kept from one message to the next.
import { describe, expect, it } from "vitest";
import { encodeText, scanBufferNow } from "./text-body.ts";

/** `units` code units of plain ASCII in CRLF lines of 60. */
function plainOf(units: number): string {
  const lines = Math.floor(units / 60);
  return `${"a".repeat(58)}\r\n`.repeat(lines) + "b".repeat(units - 60 * lines);
}

describe("the text scan buffer", () => {
  it("is made once, grows to 64 KiB at most, and is kept", () => {
    expect(scanBufferNow().length).toBe(0);
    encodeText("hi", false);
    const first = scanBufferNow();
    expect(first.length).toBe(4096);
    // 1,365 units need 4,095 octets at most, 1,366 need 4,098: the buffer grows only then.
    encodeText(plainOf(1365), false);
    expect(scanBufferNow()).toBe(first);
    encodeText(plainOf(1366), false);
    expect(scanBufferNow().length).toBe(4098);
    // Up to the bound: 21,845 units need 65,535 octets at most.
    encodeText(plainOf(21_845), false);
    const largest = scanBufferNow();
    expect(largest.length).toBe(65_535);
    // A text that needs exactly that much again, or less, scans in the same buffer.
    encodeText(plainOf(21_845), false);
    encodeText("hi", false);
    expect(scanBufferNow()).toBe(largest);
    // Past the bound (21,846 units: 65,538 octets), the text gets an array of its own.
    expect(encodeText(plainOf(21_846), false).body).toEqual({
      text: plainOf(21_846),
      octets: 21_846,
    });
    expect(scanBufferNow()).toBe(largest);
  });
});
