import { SmtpError } from "@smtp/core";
import { invalidInput, SHA256 } from "@smtp/core/internal";
import {
  createDkimSigner,
  DkimError,
  type DkimOptions,
  type DkimSigner,
  fieldBytes,
  prependFields,
  type Sha256Like,
} from "@smtp/dkim";
import { type Message, MimeError } from "@smtp/mime";
import { nativeSha256 } from "#platform";
import type { ClientDkimOptions } from "./options.ts";
import type { PreparedMessage } from "./prepare.ts";
import { openSpool, type SpoolFile } from "./spool.ts";
import { abortError } from "./to-smtp-error.ts";
import { Waiter } from "./waiter.ts";
import { monotonicNow } from "./web-runtime.ts";

/** DKIM settings checked: the signer and the spool folder. @since 0.1.0 */
export interface ResolvedDkim {
  signer: DkimSigner;
  spool: string | undefined;
}

/** A message signed and ready to queue, and what to do once its send is over. @since 0.1.0 */
export interface SignedMessage {
  prepared: PreparedMessage;
  /** Deletes the spool file, if one was made. Never throws. */
  release(): Promise<void>;
}

function invalid(message: string, cause?: unknown): SmtpError {
  return invalidInput(message, "invalid-input", cause);
}

/** Set once `nativeSha256()` has answered; until then (and on Deno) the signer's own SHA-256. */
let native: (() => Sha256Like) | undefined;
const createSha256 = (): Sha256Like => native?.() ?? SHA256.create();

/**
 * Checks `dkim` (the client's option, or a send's) at once, as `createDkimSigner` does:
 * a bad key, domain, selector or option throws `invalid-input` before any connection.
 *
 * @since 0.1.0
 */
export function resolveDkim(dkim: ClientDkimOptions): ResolvedDkim {
  const list = Array.isArray(dkim) ? dkim : [dkim];
  let spool: string | undefined;
  const signatures = list.map((entry: unknown, i): DkimOptions => {
    const field = Array.isArray(dkim) ? `dkim[${i}]` : "dkim";
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw invalid(`${field}: must be an object with domainName, keySelector and privateKey`);
    }
    const { spool: folder, ...options } = entry as DkimOptions & { spool?: unknown };
    if (folder !== undefined) {
      if (typeof folder !== "string" || folder === "") {
        throw invalid(`${field}.spool: must be a folder path`);
      }
      if (spool !== undefined && spool !== folder) {
        throw invalid(`${field}.spool: differs from an earlier spool folder; give one`);
      }
      spool = folder;
    }
    return options;
  });
  try {
    const signer = createDkimSigner(Array.isArray(dkim) ? signatures : signatures[0]!, {
      createSha256,
    });
    return { signer, spool };
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error), error);
  }
}

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
  native ??= await nativeSha256();
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
