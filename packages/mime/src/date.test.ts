import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDate } from "./date.ts";
import { createMessage, toBytes } from "./index.ts";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Reference: the platform's calendar, read in UTC after shifting by the offset. */
function reference(ms: number, offset: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000);
  const p = (n: number) => String(n).padStart(2, "0");
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCFullYear()).padStart(4, "0")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${sign}${p(Math.floor(a / 60))}${p(a % 60)}`;
}

describe("Date header", () => {
  it.each([
    [Date.UTC(2026, 10, 29, 3, 45, 6), 0, "Sun, 29 Nov 2026 03:45:06 +0000"],
    [Date.UTC(2026, 10, 29, 3, 45, 6), 60, "Sun, 29 Nov 2026 04:45:06 +0100"],
    [Date.UTC(2026, 0, 1, 2, 0, 0), -330, "Wed, 31 Dec 2025 20:30:00 -0530"],
    [Date.UTC(2024, 1, 28, 23, 0, 0), 765, "Thu, 29 Feb 2024 11:45:00 +1245"],
    [Date.UTC(1969, 11, 31, 23, 59, 59, 999), 0, "Wed, 31 Dec 1969 23:59:59 +0000"],
    [Date.UTC(2026, 2, 29, 0, 59, 59), -720, "Sat, 28 Mar 2026 12:59:59 -1200"],
    // The last day of a 400-year era (day 146096 of it) and the days around it.
    [Date.UTC(2000, 1, 28, 12, 0, 0), 0, "Mon, 28 Feb 2000 12:00:00 +0000"],
    [Date.UTC(2000, 1, 29, 12, 0, 0), 0, "Tue, 29 Feb 2000 12:00:00 +0000"],
    [Date.UTC(2000, 2, 1, 12, 0, 0), 0, "Wed, 1 Mar 2000 12:00:00 +0000"],
    [Date.UTC(2400, 1, 29, 0, 0, 0), 0, "Tue, 29 Feb 2400 00:00:00 +0000"],
  ])("formats %d at offset %d as %s", (ms, offset, expected) => {
    expect(formatDate(ms, offset)).toBe(expected);
  });

  it("agrees with the platform calendar for any instant and offset", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2_000_000_000_000, max: 8_000_000_000_000 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (ms, offset) => {
          expect(formatDate(ms, offset)).toBe(reference(ms, offset));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("uses the Date's own local offset (getTimezoneOffset) unless timeZoneOffset is given", async () => {
    // A Date whose local zone is UTC+02:00, whatever the machine's zone is.
    class BerlinSummer extends Date {
      override getTimezoneOffset(): number {
        return -120;
      }
    }
    const now = new BerlinSummer(Date.UTC(2026, 6, 1, 10, 0, 0));
    const input = { from: "a@example.test", to: "b@example.test", text: "x" };
    const randomBytes = (n: number) => new Uint8Array(n);
    const local = new TextDecoder().decode(
      await toBytes(createMessage(input, { now, randomBytes })),
    );
    expect(local).toContain("Date: Wed, 1 Jul 2026 12:00:00 +0200\r\n");
    const forced = createMessage(input, { now, randomBytes, timeZoneOffset: -300 });
    expect(new TextDecoder().decode(await toBytes(forced))).toContain(
      "Date: Wed, 1 Jul 2026 05:00:00 -0500\r\n",
    );
  });
});
