/** Messages captured as `<name>.eml` + `<name>.json` (the Haraka plugin, the smtp-server peer). */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { MessageStore, StoreMark } from "./message-store.ts";
import { fromCapture, type StoredMessage } from "./stored-message.ts";

/**
 * A store over a capture folder. A message counts once its `.json` exists: both writers
 * write it after the complete `.eml`.
 *
 * @since 0.1.0
 */
export function captureStore(folder: string): MessageStore {
  const cache = new Map<string, StoredMessage>();
  const list = async () => {
    try {
      return (await readdir(folder)).filter((name) => name.endsWith(".json"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  };
  return {
    description: folder,
    mark: async () => new Set(await list()),
    async arrivedSince(mark: StoreMark) {
      const arrived: StoredMessage[] = [];
      for (const name of await list()) {
        if (mark.has(name)) continue;
        let message = cache.get(name);
        if (message === undefined) {
          const base = join(folder, name.slice(0, -".json".length));
          const raw = new Uint8Array(await readFile(`${base}.eml`));
          message = fromCapture(`${base}.eml`, raw, await readFile(`${base}.json`, "utf8"));
          cache.set(name, message);
        }
        arrived.push(message);
      }
      return arrived;
    },
  };
}
