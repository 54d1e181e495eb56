import { describe, expect, it } from "vitest";
import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
import { BodyStaging, STAGING_LIMIT } from "./lent-buffers.ts";

describe("BodyStaging", () => {
  it("hands out views one after another, from a 4 KiB buffer that doubles while empty", () => {
    const staging = new BodyStaging();
    const a = staging.take(100)!;
    const b = staging.take(200)!;
    expect([a.byteOffset, a.length, b.byteOffset, b.length]).toEqual([0, 100, 100, 200]);
    expect(b.buffer).toBe(a.buffer);
    expect(a.buffer.byteLength).toBe(4096);
    // Full with views still out: no room, and the buffer is not replaced under them.
    expect(staging.take(4096 - 300 + 1)).toBeUndefined();
    expect(staging.take(4096 - 300)!.buffer).toBe(a.buffer);
    staging.reset();
    const grown = staging.take(4097)!;
    expect(grown.byteOffset).toBe(0);
    expect(grown.buffer.byteLength).toBe(8192);
    staging.reset();
    expect(staging.take(8192)!.buffer).toBe(grown.buffer); // exactly its size: kept
  });

  it("takes up to STAGING_LIMIT octets at once, not one more", () => {
    expect(STAGING_LIMIT).toBe(2 * BODY_COPY_LIMIT + 2);
    for (const size of [STAGING_LIMIT - 1, STAGING_LIMIT]) {
      const staging = new BodyStaging();
      const view = staging.take(size)!;
      expect(view.length).toBe(size);
      expect(view.buffer.byteLength).toBe(STAGING_LIMIT);
    }
    expect(new BodyStaging().take(STAGING_LIMIT + 1)).toBeUndefined();
  });

  it("trims the last view, so the next one starts where the used part ends", () => {
    const staging = new BodyStaging();
    const first = staging.take(50)!;
    const last = staging.take(1000)!;
    const trimmed = staging.trim(last, 10);
    expect([trimmed.byteOffset, trimmed.length]).toEqual([50, 10]);
    expect(staging.take(5)!.byteOffset).toBe(60);
    // Not the last one: trimmed as a view, the room after it stays taken.
    expect(staging.trim(first, 20).length).toBe(20);
    expect(staging.take(1)!.byteOffset).toBe(65);
  });

  it("owns its views only", () => {
    const staging = new BodyStaging();
    expect(staging.owns(new Uint8Array(0))).toBe(false);
    const view = staging.take(10)!;
    expect(staging.owns(view)).toBe(true);
    expect(staging.owns(view.slice())).toBe(false);
    expect(staging.owns(new Uint8Array(10))).toBe(false);
  });
});
