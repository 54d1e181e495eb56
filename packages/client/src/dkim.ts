import { invalidInput, SHA256, type SmtpError } from "@smtp/core/base";
import { createDkimSigner, type DkimOptions, type DkimSigner, type Sha256Like } from "@smtp/dkim";
import { nativeSha256 } from "#platform";
import type { ClientDkimOptions } from "./options.ts";
import type { PreparedMessage } from "./prepare.ts";

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

/** An `invalid-input` error about the DKIM settings or the message to sign. @since 0.1.0 */
export function invalid(message: string, cause?: unknown): SmtpError {
  return invalidInput(message, "invalid-input", cause);
}

/** Set once `nativeSha256()` has answered; until then (and on Deno) the signer's own SHA-256. */
let native: (() => Sha256Like) | undefined;
const createSha256 = (): Sha256Like => native?.() ?? SHA256.create();

/** Looks up the runtime's native SHA-256 for the signers, once (before the first signing). @since 0.1.0 */
export async function useNativeSha256(): Promise<void> {
  native ??= await nativeSha256();
}

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
