/** Messages delivered into Maildir folders (Postfix, Exim, OpenSMTPD, Dovecot LMTP). */
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { MessageStore, StoreMark } from "./message-store.ts";
import { fromMaildirFile, type StoredMessage } from "./stored-message.ts";

async function filesIn(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).map((name) => join(folder, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * A store over Maildir folders: each folder's `new/` and `cur/` (a delivered file is renamed
 * into `new/` only when complete). The envelope sender comes from the Return-Path header the
 * delivery agent writes.
 *
 * @since 0.1.0
 */
export function maildirStore(folders: readonly string[]): MessageStore {
  const cache = new Map<string, StoredMessage>();
  const list = async () => {
    const paths: string[] = [];
    for (const folder of folders) {
      paths.push(...(await filesIn(join(folder, "new"))), ...(await filesIn(join(folder, "cur"))));
    }
    return paths;
  };
  return {
    description: folders.join(", "),
    mark: async () => new Set(await list()),
    async arrivedSince(mark: StoreMark) {
      const arrived: StoredMessage[] = [];
      for (const path of await list()) {
        if (mark.has(path)) continue;
        let message = cache.get(path);
        if (message === undefined) {
          // The folder of new/ or cur/ is the mailbox.
          const mailbox = basename(join(path, "..", ".."));
          try {
            message = fromMaildirFile(path, mailbox, new Uint8Array(await readFile(path)));
          } catch {
            continue; // moved from new/ to cur/ meanwhile: found under its new name next time
          }
          cache.set(path, message);
        }
        arrived.push(message);
      }
      return arrived;
    },
  };
}
