import { readFile, stat } from "node:fs/promises";
import { SmtpError } from "@smtp/client";

function cannotRead(flag: string, path: string, error: unknown): SmtpError {
  const code = (error as { code?: unknown })?.code;
  return new SmtpError({
    kind: "invalid-input",
    message: `${flag}: cannot read ${JSON.stringify(path)} (${typeof code === "string" ? code : String(error)})`,
    retryable: false,
    cause: error,
  });
}

/**
 * A whole file, for a flag that names one (`--text-file`, `--eml`, `--template`…), refused
 * past `limit` bytes so that a wrong path cannot fill memory.
 *
 * @throws SmtpError kind `invalid-input` naming the flag.
 */
export async function readBounded(flag: string, path: string, limit: number): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTFILE" });
    if (info.size > limit) {
      throw new SmtpError({
        kind: "invalid-input",
        message: `${flag}: ${JSON.stringify(path)} is larger than ${limit} bytes`,
        retryable: false,
      });
    }
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof SmtpError) throw error;
    throw cannotRead(flag, path, error);
  }
}

/** A whole UTF-8 text file, bounded as {@link readBounded}. */
export async function readText(flag: string, path: string, limit: number): Promise<string> {
  const bytes = await readBounded(flag, path, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SmtpError({
      kind: "invalid-input",
      message: `${flag}: ${JSON.stringify(path)} is not UTF-8 text`,
      retryable: false,
    });
  }
}

/** A file's size, for progress; the client itself refuses a missing file with the field's name. */
export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
