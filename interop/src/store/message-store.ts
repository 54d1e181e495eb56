/**
 * A server's store of delivered messages, read back by the matrix: what arrived after a
 * mark, and a wait for expected arrivals (delivery into a Maildir is asynchronous).
 */
import { readdir } from "node:fs/promises";
import type { StoredMessage } from "./stored-message.ts";

/** The files present at some moment. @since 0.1.0 */
export type StoreMark = ReadonlySet<string>;

/** Where one server puts what it accepted. @since 0.1.0 */
export interface MessageStore {
  /** Human-readable location, for failure reasons. */
  readonly description: string;
  /** Whatever is stored now, so that later arrivals can be told apart. */
  mark(): Promise<StoreMark>;
  /** Every message stored since `mark` (complete files only). */
  arrivedSince(mark: StoreMark): Promise<StoredMessage[]>;
}

/** The names in `folder`, none when it does not exist (yet). @since 0.1.0 */
export async function namesIn(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * A store whose messages are files: `list` gives a key per complete message, `load` reads
 * one (each at most once; `undefined` when it went away meanwhile).
 *
 * @since 0.1.0
 */
export function fileStore(
  description: string,
  list: () => Promise<string[]>,
  load: (key: string) => Promise<StoredMessage | undefined>,
): MessageStore {
  const cache = new Map<string, StoredMessage>();
  return {
    description,
    mark: async () => new Set(await list()),
    async arrivedSince(mark) {
      const arrived: StoredMessage[] = [];
      for (const key of await list()) {
        if (mark.has(key)) continue;
        const message = cache.get(key) ?? (await load(key));
        if (message === undefined) continue;
        cache.set(key, message);
        arrived.push(message);
      }
      return arrived;
    },
  };
}

/** How {@link waitForArrivals} waits. @since 0.1.0 */
export interface ArrivalWait {
  /** Message-IDs that must all arrive. */
  expected: readonly string[];
  /** Only arrivals whose Message-ID passes this count (other suites share the mailboxes). */
  belongs: (messageId: string) => boolean;
  /** Give up waiting for the expected ones after this long. Default 20 s. */
  timeoutMs?: number;
  /**
   * After the expected ones arrived, keep looking this long for anything else (a duplicate,
   * a message reported failed). Default 400 ms.
   */
  settleMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `store` until every expected Message-ID arrived (or the timeout passed), then for
 * `settleMs` more, and returns every arrival since `mark` that belongs to the caller.
 *
 * @since 0.1.0
 */
export async function waitForArrivals(
  store: MessageStore,
  mark: StoreMark,
  wait: ArrivalWait,
): Promise<StoredMessage[]> {
  const deadline = Date.now() + (wait.timeoutMs ?? 20_000);
  const ours = async () =>
    (await store.arrivedSince(mark)).filter(
      (m) => m.messageId !== undefined && wait.belongs(m.messageId),
    );
  for (;;) {
    const seen = new Set((await ours()).map((m) => m.messageId));
    if (wait.expected.every((id) => seen.has(id)) || Date.now() >= deadline) break;
    await sleep(100);
  }
  await sleep(wait.settleMs ?? 400);
  return ours();
}
