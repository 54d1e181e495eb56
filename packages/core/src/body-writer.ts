import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
import type { OnReply, SessionLink } from "./session-link.ts";
import type { Transaction } from "./transaction.ts";

// How a message's body goes on the wire: DATA dot-stuffed, or BDAT chunks, where small
// pieces are held (they are copies) so that a message that fits in one chunk leaves as a
// single `BDAT n LAST`, and a large piece (maybe the caller's own memory) goes at once.
// Internal.

/** Where a chunk's reply goes: a non-last BDAT chunk, or the end of data. */
export interface ChunkReplies {
  chunk: OnReply;
  end: OnReply;
}

/** Writes one encoded piece of `tx`'s body. */
export function writeBody(
  link: SessionLink,
  tx: Transaction,
  bytes: Uint8Array,
  replies: ChunkReplies,
): void {
  if (!tx.bdat) {
    tx.js.dataSent = true;
    link.wire.write(bytes);
    return;
  }
  const small = bytes.length < BODY_COPY_LIMIT;
  if (tx.heldSize + bytes.length > BODY_COPY_LIMIT) flushHeld(link, tx, replies, false);
  if (small) {
    tx.held.push(bytes);
    tx.heldSize += bytes.length;
  } else writeChunk(link, tx, [bytes], bytes.length, false, replies);
}

/** Writes what is held as one chunk: the `LAST` one when `last` (then even when empty). */
export function flushHeld(
  link: SessionLink,
  tx: Transaction,
  replies: ChunkReplies,
  last: boolean,
): void {
  if (tx.heldSize === 0 && !last) return;
  writeChunk(link, tx, tx.held, tx.heldSize, last, replies);
  tx.held = [];
  tx.heldSize = 0;
}

/** One `BDAT size [LAST]` command followed by its bytes. */
function writeChunk(
  link: SessionLink,
  tx: Transaction,
  pieces: Uint8Array[],
  size: number,
  last: boolean,
  replies: ChunkReplies,
): void {
  if (size > 0) tx.js.dataSent = true;
  if (last) link.command({ name: "BDAT", size, last: true }, "data-end", replies.end);
  else link.command({ name: "BDAT", size, last: false }, "data-block", replies.chunk);
  for (const piece of pieces) link.wire.write(piece);
}
