import { nodeFs } from "#platform";
import { randomBytes } from "./web-runtime.ts";

/**
 * A temporary file holding one message's bytes, so that a message whose content can be
 * read only once can be read twice (DKIM: the body hash, then the send).
 *
 * @since 0.1.0
 */
export interface SpoolFile {
  /** Appends `chunk`; the caller may reuse it once the promise resolves. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the writing. */
  close(): Promise<void>;
  /**
   * The file's bytes from the start; each call is a new read. With `reuseBuffers`, every
   * chunk is the same buffer refilled: valid only until the next one is asked for.
   */
  read(reuseBuffers: boolean): AsyncIterable<Uint8Array>;
  /** Deletes the file; never throws. */
  remove(): Promise<void>;
}

/** The Deno file API this module uses (Deno is not in the client's typings). */
interface DenoFile {
  write(bytes: Uint8Array): Promise<number>;
  read(buffer: Uint8Array): Promise<number | null>;
  close(): void;
}
interface DenoFiles {
  open(
    path: string,
    options: { read?: boolean; write?: boolean; createNew?: boolean; mode?: number },
  ): Promise<DenoFile>;
  remove(path: string): Promise<void>;
}

const READ_SIZE = 64 * 1024;

/** An open file to read from the start: fill `buffer`, giving the count, 0 or null at the end. */
interface Reader {
  read(buffer: Uint8Array): Promise<number | null>;
  close(): Promise<void> | void;
}

/** Reads a file in {@link READ_SIZE} chunks, into one buffer when `reuse` (else a copy each). */
async function* chunks(open: () => Promise<Reader>, reuse: boolean): AsyncGenerator<Uint8Array> {
  const reader = await open();
  try {
    const buffer = new Uint8Array(READ_SIZE);
    for (;;) {
      const n = await reader.read(buffer);
      if (!n) return;
      yield reuse ? buffer.subarray(0, n) : buffer.slice(0, n);
    }
  } finally {
    await reader.close();
  }
}

function fileName(folder: string): string {
  const id = Array.from(randomBytes(16), (b) => b.toString(16).padStart(2, "0")).join("");
  const separator = folder.endsWith("/") || folder.endsWith("\\") ? "" : "/";
  return `${folder}${separator}smtp-dkim-${id}.eml`;
}

/**
 * Creates a new file (never an existing one; readable by its owner only) in `folder`:
 * `Deno.open` on Deno, `node:fs` on Node.js and Bun.
 *
 * @throws whatever the runtime throws when the file cannot be made.
 * @since 0.1.0
 */
export async function openSpool(folder: string): Promise<SpoolFile> {
  const path = fileName(folder);
  const deno = (globalThis as { Deno?: DenoFiles }).Deno;
  if (deno) {
    const file = await deno.open(path, { write: true, createNew: true, mode: 0o600 });
    return {
      async write(chunk) {
        for (let done = 0; done < chunk.length; ) done += await file.write(chunk.subarray(done));
      },
      async close() {
        file.close();
      },
      read: (reuse) => chunks(() => deno.open(path, { read: true }), reuse),
      async remove() {
        try {
          file.close();
        } catch {
          // Closed already.
        }
        await deno.remove(path).catch(() => {});
      },
    };
  }
  const fs = await nodeFs();
  const handle = await fs.promises.open(path, "wx", 0o600);
  return {
    async write(chunk) {
      for (let done = 0; done < chunk.length; ) {
        done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
      }
    },
    close: () => handle.close(),
    read: (reuse) =>
      chunks(async () => {
        const file = await fs.promises.open(path, "r");
        return {
          read: async (buffer) => (await file.read(buffer, 0, buffer.length, null)).bytesRead,
          close: () => file.close(),
        };
      }, reuse),
    async remove() {
      await handle.close().catch(() => {});
      await fs.promises.rm(path, { force: true }).catch(() => {});
    },
  };
}
