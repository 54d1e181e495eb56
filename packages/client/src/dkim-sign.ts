import { SmtpError } from "@smtp/core/base";
import { DkimError, fieldBytes, prependFields } from "@smtp/dkim";
import { type Message, MimeError } from "@smtp/mime";
import { invalid, type ResolvedDkim, type SignedMessage, useNativeSha256 } from "./dkim.ts";
import type { PreparedMessage } from "./prepare.ts";
import { openSpool, type SpoolFile } from "./spool.ts";
import { abortError } from "./to-smtp-error.ts";
import { Waiter } from "./waiter.ts";
import { monotonicNow } from "./web-runtime.ts";

/**
 * Signs a prepared message: one pass over its bytes computes the body hash (and, for a
 * message that can be read only once, copies it into a spool file), then the returned
 * message streams the DKIM-Signature field(s) followed by the same bytes again. Finishes
 * before the message is queued, so a signing failure never leaves half a message sent.
 *
 * @throws SmtpError `invalid-input` when the message cannot be signed (a one-shot stream
 *   without `spool`, no From field, a key WebCrypto refuses, a stream that fails), or
 *   `aborted` when `signal` fires.
 * @since 0.1.0
 */
export async function signMessage(
  prepared: PreparedMessage,
  dkim: ResolvedDkim,
  signal: AbortSignal | undefined,
): Promise<SignedMessage> {
  const { message, job } = prepared;
  const oneShot = message.singlePass;
  if (oneShot && dkim.spool === undefined) {
    throw invalid(
      "dkim: the message has stream content, which can be read only once, and signing reads the message twice; give dkim.spool (a folder for a temporary copy) or the content as bytes",
    );
  }
  await useNativeSha256();
  let spool: SpoolFile | undefined;
  let fields: string;
  let size = 0;
  try {
    if (oneShot) spool = await openSpoolFile(dkim.spool!);
    const signing = dkim.signer.begin();
    await forEachChunk(message.stream({ reuseBuffers: true }), signal, async (chunk) => {
      signing.update(chunk);
      size += chunk.length;
      await spool?.write(chunk);
    });
    await spool?.close();
    fields = await signing.finish({ now: new Date() });
  } catch (error) {
    await spool?.remove();
    throw signingError(error);
  }
  const source: (reuseBuffers: boolean) => AsyncIterable<Uint8Array> =
    spool === undefined
      ? (reuseBuffers) => message.stream({ reuseBuffers })
      : (reuseBuffers) => (spool as SpoolFile).read(reuseBuffers);
  size += fieldBytes(fields).length;
  const signed: Message = {
    ...message,
    size,
    replayable: true,
    singlePass: false,
    stream: (options) => prependFields(fields, source(options?.reuseBuffers === true)),
    // Not the unsigned message's own bytes (the spread above copied its accessor).
    singleChunk: () => undefined,
  };
  return {
    prepared: { message: signed, job: { ...job, size } },
    release: async () => {
      await spool?.remove();
    },
  };
}

async function openSpoolFile(folder: string): Promise<SpoolFile> {
  try {
    return await openSpool(folder);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(
      `dkim.spool: cannot create a file in ${JSON.stringify(folder)}: ${reason}`,
      error,
    );
  }
}

/** Feeds every chunk to `each`, one at a time; stops at once when `signal` aborts. */
async function forEachChunk(
  stream: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
  each: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  const iterator = stream[Symbol.asyncIterator]();
  const waiter = new Waiter(monotonicNow, signal);
  let done = false;
  try {
    for (;;) {
      const outcome = await waiter.wait(iterator.next(), null);
      if (outcome.type === "aborted") throw abortError(outcome.reason);
      if (outcome.type === "error") throw outcome.error;
      if (outcome.type !== "value") throw new Error(`unexpected wait outcome ${outcome.type}`);
      if (outcome.value.done) {
        done = true;
        return;
      }
      await each(outcome.value.value);
    }
  } finally {
    waiter.dispose();
    // Not awaited: a stream stalled inside next() returns only once that next() settles.
    if (!done) iterator.return?.()?.catch(() => {});
  }
}

function signingError(error: unknown): SmtpError {
  if (error instanceof SmtpError) return error;
  if (error instanceof DkimError || error instanceof MimeError) {
    return invalid(`dkim: ${error.message}`, error);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return invalid(`reading the message to sign it failed: ${reason}`, error);
}
