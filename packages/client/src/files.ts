import { SmtpError } from "@smtp/core/base";
import type { ReopenableContent } from "@smtp/mime";
import { nodeFs } from "#platform";

/** Octets per read: the builder encodes in blocks of about this size. */
const READ_SIZE = 64 * 1024;

/** An open file, whatever the runtime. */
interface ReadHandle {
  /** Fills `buffer` from the current position; 0 at the end. */
  read(buffer: Uint8Array): Promise<number>;
  stat(): Promise<{ isFile: boolean; size: number }>;
  close(): Promise<void>;
}

/** The slice of Deno's file API used here (Deno is not typed in this package). */
interface DenoFiles {
  open(
    path: string,
    options: { read: true },
  ): Promise<{
    read(buffer: Uint8Array): Promise<number | null>;
    stat(): Promise<{ isFile: boolean; size: number }>;
    close(): void;
  }>;
}

/**
 * Opens a file for reading: `Deno.open` on Deno (no `node:*` module is loaded there),
 * `node:fs/promises` on Node.js and Bun.
 */
async function openForRead(path: string): Promise<ReadHandle> {
  const deno = (globalThis as { Deno?: DenoFiles }).Deno;
  if (deno !== undefined) {
    const file = await deno.open(path, { read: true });
    return {
      read: async (buffer) => (await file.read(buffer)) ?? 0,
      stat: () => file.stat(),
      close: async () => file.close(),
    };
  }
  const fs = (await nodeFs()).promises;
  const handle = await fs.open(path, "r");
  return {
    read: async (buffer) => (await handle.read(buffer, 0, buffer.length, null)).bytesRead,
    stat: async () => {
      const stats = await handle.stat();
      return { isFile: stats.isFile(), size: stats.size };
    },
    close: () => handle.close(),
  };
}

/**
 * The file's bytes, 64 KiB at a time, every chunk in the same buffer refilled (the builder
 * is done with a chunk before it asks for the next: `ReopenableContent`), so a large file
 * leaves no garbage behind; the file is closed at the end or when the reader stops.
 */
async function* readFile(path: string): AsyncGenerator<Uint8Array> {
  const handle = await openForRead(path);
  const buffer = new Uint8Array(READ_SIZE);
  try {
    for (;;) {
      const length = await handle.read(buffer);
      if (length === 0) return;
      yield length === READ_SIZE ? buffer : buffer.subarray(0, length);
    }
  } finally {
    await handle.close();
  }
}

function reason(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof e?.code === "string") return e.code;
  if (typeof e?.name === "string" && e.name !== "Error") return e.name;
  return typeof e?.message === "string" ? e.message : String(error);
}

/** Opens the file once to learn that it can be read, is a regular file, and its size. */
async function checkFile(field: string, path: string): Promise<ReopenableContent> {
  let size: number;
  try {
    const handle = await openForRead(path);
    try {
      const stats = await handle.stat();
      if (!stats.isFile) throw Object.assign(new Error("not a regular file"), { code: "ENOTFILE" });
      size = stats.size;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new SmtpError({
      kind: "invalid-input",
      message: `${field}: cannot read the file ${JSON.stringify(path)} (${reason(error)})`,
      retryable: false,
      cause: error,
    });
  }
  return { size, open: () => readFile(path) };
}

/**
 * Checks the files a message names (each path once, in parallel) and returns the
 * `BuildOptions.files` resolver for them: each file is opened again every time the message
 * is streamed and read 64 KiB at a time, never whole. A missing, unreadable or
 * non-regular file is `invalid-input`, naming the field, before any connection.
 *
 * @since 0.1.0
 */
export async function openFiles(
  paths: readonly { field: string; path: string }[],
): Promise<((path: string) => ReopenableContent | undefined) | undefined> {
  if (paths.length === 0) return undefined;
  const unique = new Map<string, string>();
  for (const { field, path } of paths) if (!unique.has(path)) unique.set(path, field);
  const files = new Map<string, ReopenableContent>();
  await Promise.all(
    [...unique].map(async ([path, field]) => {
      files.set(path, await checkFile(field, path));
    }),
  );
  return (path) => files.get(path);
}
