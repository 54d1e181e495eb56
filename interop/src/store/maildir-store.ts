/** Messages delivered into Maildir folders (Postfix, Exim, OpenSMTPD, Dovecot LMTP). */
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileStore, type MessageStore, namesIn } from "./message-store.ts";
import { fromMaildirFile } from "./stored-message.ts";

/**
 * A store over Maildir folders: each folder's `new/` and `cur/` (a delivered file is renamed
 * into `new/` only when complete). The envelope sender comes from the Return-Path header the
 * delivery agent writes; the mailbox is the folder's name.
 *
 * @since 0.1.0
 */
export function maildirStore(folders: readonly string[]): MessageStore {
  const list = async () => {
    const paths: string[] = [];
    for (const folder of folders) {
      for (const sub of ["new", "cur"]) {
        paths.push(...(await namesIn(join(folder, sub))).map((name) => join(folder, sub, name)));
      }
    }
    return paths;
  };
  const load = async (path: string) => {
    try {
      return fromMaildirFile(
        path,
        basename(join(path, "..", "..")),
        new Uint8Array(await readFile(path)),
      );
    } catch {
      return undefined; // moved from new/ to cur/ meanwhile: found under its new name next time
    }
  };
  return fileStore(folders.join(", "), list, load);
}
