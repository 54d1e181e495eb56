/** Messages captured as `<name>.eml` + `<name>.json` (the Haraka plugin, the smtp-server peer). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileStore, type MessageStore, namesIn } from "./message-store.ts";
import { fromCapture } from "./stored-message.ts";

/**
 * A store over a capture folder. A message counts once its `.json` exists: both writers
 * write it after the complete `.eml`.
 *
 * @since 0.1.0
 */
export function captureStore(folder: string): MessageStore {
  const list = async () => (await namesIn(folder)).filter((name) => name.endsWith(".json"));
  const load = async (name: string) => {
    const base = join(folder, name.slice(0, -".json".length));
    const raw = new Uint8Array(await readFile(`${base}.eml`));
    return fromCapture(`${base}.eml`, raw, await readFile(`${base}.json`, "utf8"));
  };
  return fileStore(folder, list, load);
}
