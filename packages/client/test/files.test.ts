import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openFiles } from "../src/files.ts";

describe("openFiles (Node.js)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "smtp-files-"));
    writeFileSync(
      join(dir, "big.bin"),
      new Uint8Array(200_000).map((_, i) => i),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const fileHandles = () =>
    process.getActiveResourcesInfo().filter((name) => name === "FileHandle").length;

  it("checks each path once, opens nothing until read, and reads 64 KiB at a time", async () => {
    const path = join(dir, "big.bin");
    const files = await openFiles([
      { field: "attachments[0].path", path },
      { field: "attachments[1].path", path },
    ]);
    const file = files!(path)!;
    expect(file.size).toBe(200_000);
    expect(fileHandles()).toBe(0);
    const sizes: number[] = [];
    for await (const chunk of file.open() as AsyncIterable<Uint8Array>) sizes.push(chunk.length);
    expect(sizes).toEqual([65_536, 65_536, 65_536, 3_392]);
    // Every pass opens the file again.
    let again = 0;
    for await (const chunk of file.open() as AsyncIterable<Uint8Array>) again += chunk.length;
    expect(again).toBe(200_000);
    expect(files!(join(dir, "other"))).toBeUndefined();
    expect(await openFiles([])).toBeUndefined();
  });

  it("closes the file when the reader stops early", async () => {
    const path = join(dir, "big.bin");
    const file = (await openFiles([{ field: "f", path }]))!(path)!;
    for await (const _ of file.open() as AsyncIterable<Uint8Array>) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fileHandles()).toBe(0);
  });

  it("a file that shrank after the check fails its read", async () => {
    const path = join(dir, "shrinks.bin");
    writeFileSync(path, new Uint8Array(1000));
    const file = (await openFiles([{ field: "f", path }]))!(path)!;
    truncateSync(path, 10);
    let read = 0;
    for await (const chunk of file.open() as AsyncIterable<Uint8Array>) read += chunk.length;
    // The builder holds the content to the size it was told (see mime's content checks).
    expect([file.size, read]).toEqual([1000, 10]);
  });

  it("a missing file is invalid-input naming the field and the reason", async () => {
    await expect(
      openFiles([{ field: "icalEvent.path", path: join(dir, "none.ics") }]),
    ).rejects.toMatchObject({
      kind: "invalid-input",
      message: expect.stringMatching(
        /^icalEvent\.path: cannot read the file ".*none\.ics" \(ENOENT\)$/,
      ),
    });
    await expect(openFiles([{ field: "f", path: dir }])).rejects.toMatchObject({
      message: expect.stringMatching(/\((EISDIR|ENOTFILE)\)$/),
    });
  });
});
