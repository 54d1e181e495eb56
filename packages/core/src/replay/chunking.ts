/**
 * How the replay runner cuts each server batch (and each message body) into the chunks
 * it feeds the engine:
 *
 * - `"whole"`: one chunk per batch.
 * - `"bytes"`: one byte at a time.
 * - `{ splitAt: n }`: two chunks, cut at offset `n` (batches not longer than `n` stay whole).
 * - `{ seed: n }`: random cuts from a small seeded generator (the same seed, the same cuts).
 * - a function: returns the cut offsets for a batch (`index` counts the batches fed so far).
 *
 * @since 0.1.0
 */
export type Chunking =
  | "whole"
  | "bytes"
  | {
      /** The offset to cut each batch at. */
      splitAt: number;
    }
  | {
      /** The generator's seed. */
      seed: number;
    }
  | ((bytes: Uint8Array, index: number) => readonly number[]);

/** A deterministic 32-bit generator (mulberry32): replays need randomness without Math.random. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Returns a cutter for a strategy: given bytes, the chunks to feed, in order, never empty.
 *
 * @since 0.1.0
 */
export function createChunker(chunking: Chunking): (bytes: Uint8Array) => Uint8Array[] {
  let index = 0;
  const random =
    typeof chunking === "object" && "seed" in chunking ? generator(chunking.seed) : undefined;
  return (bytes) => {
    let cuts: readonly number[];
    if (chunking === "whole") cuts = [];
    else if (chunking === "bytes")
      cuts = Array.from({ length: Math.max(0, bytes.length - 1) }, (_, i) => i + 1);
    else if (typeof chunking === "function") cuts = chunking(bytes, index);
    else if ("splitAt" in chunking) cuts = [chunking.splitAt];
    else {
      const next = random as () => number;
      const list: number[] = [];
      // Mostly small pieces, sometimes large ones, so cuts land next to CR, LF and dots.
      let at = 0;
      for (;;) {
        at += 1 + Math.floor(next() * (next() < 0.7 ? 4 : Math.max(1, bytes.length / 2)));
        if (at >= bytes.length) break;
        list.push(at);
      }
      cuts = list;
    }
    index++;
    const sorted = [...new Set(cuts)]
      .filter((cut) => cut > 0 && cut < bytes.length)
      .sort((a, b) => a - b);
    const chunks: Uint8Array[] = [];
    let start = 0;
    for (const cut of sorted) {
      chunks.push(bytes.subarray(start, cut));
      start = cut;
    }
    // Every cut left is inside the bytes, so a last piece always remains (for no bytes, the
    // one empty chunk).
    chunks.push(bytes.subarray(start));
    return chunks;
  };
}
