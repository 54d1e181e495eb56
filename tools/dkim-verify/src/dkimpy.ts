import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { KeyRecords, VerifierResult } from "./types.ts";

/** Debian's python3-dkim is installed for the system interpreter, not a pyenv one on PATH. */
export const SYSTEM_PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./dkimpy_verify.py", import.meta.url));

let available: Promise<boolean> | undefined;

/** Whether dkimpy can be run here (`apt-get install python3-dkim`). Checked once. */
export function hasDkimpy(): Promise<boolean> {
  available ??= new Promise((resolve) => {
    if (!existsSync(SYSTEM_PYTHON)) {
      resolve(false);
      return;
    }
    execFile(SYSTEM_PYTHON, ["-c", "import dkim, nacl"], (error) => resolve(error === null));
  });
  return available;
}

/**
 * Verifies every DKIM-Signature of `message` with dkimpy, the public keys taken from
 * `keys` (never DNS).
 */
export function verifyWithDkimpy(message: Uint8Array, keys: KeyRecords): Promise<VerifierResult[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      SYSTEM_PYTHON,
      [SCRIPT],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`dkimpy failed: ${error.message}\n${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout) as VerifierResult[]);
      },
    );
    child.stdin?.end(JSON.stringify({ message: Buffer.from(message).toString("base64"), keys }));
  });
}
