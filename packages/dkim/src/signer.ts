import { encodeBase64, SHA256 } from "@smtp/core/base";
import { BodyCanonicalizer } from "./body-canon.ts";
import { DkimError } from "./errors.ts";
import {
  type HeaderField,
  parseHeaderFields,
  relaxedField,
  signedFieldsData,
} from "./header-fields.ts";
import { HeaderSection } from "./header-section.ts";
import type { DkimOptions, DkimSignerOptions, Sha256Like } from "./options.ts";
import { completeSignatureField, signatureFieldPrefix } from "./signature-header.ts";
import { type ResolvedSignature, resolveSignature } from "./signature-options.ts";

/**
 * Options of {@link DkimSigning.finish} and {@link DkimSigner.sign}.
 *
 * @since 0.1.0
 */
export interface SignOptions {
  /** The signing time (`t=`, and the base of `x=`). Default: now. */
  now?: Date;
}

/**
 * Signs one message whose bytes are fed to it in order, chunk by chunk (any chunking).
 *
 * @since 0.1.0
 */
export interface DkimSigning {
  /**
   * Adds the next bytes of the message. Only the header section is kept (at most 1 MiB);
   * the body is canonicalized and hashed on the fly, and `chunk` is not referenced after
   * the call returns.
   *
   * @throws DkimError when the header section is too large.
   */
  update(chunk: Uint8Array): void;
  /**
   * Ends the message and returns the DKIM-Signature header field(s), folded, each ending in
   * CRLF: put them in front of the message bytes, unchanged, to send the signed message.
   *
   * @throws DkimError when the message has no From field, or WebCrypto refuses the key.
   */
  finish(options?: SignOptions): Promise<string>;
}

/**
 * Signs messages with one or more DKIM signatures. Made by {@link createDkimSigner}.
 *
 * @since 0.1.0
 */
export interface DkimSigner {
  /** Starts signing one message: feed it with `update`, then call `finish`. */
  begin(): DkimSigning;
  /**
   * Reads `message` (its bytes as sent, CRLF line ends; bare CR or LF count as CRLF, as
   * SMTP will carry them) once and returns the DKIM-Signature header field(s) to put in
   * front of it. The message is not kept: to send it, stream it again after the fields.
   */
  sign(
    message: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: SignOptions,
  ): Promise<string>;
}

/**
 * Checks the signature options (domain, selector, key, algorithm, header lists,
 * canonicalization, expiry) and returns a signer. Everything that can be checked without
 * WebCrypto is checked here, synchronously; the key is imported at the first signature.
 *
 * @example
 * ```ts
 * const signer = createDkimSigner({ domainName: "example.com", keySelector: "2026", privateKey: pem });
 * const fields = await signer.sign(message.stream());
 * // send: the bytes of `fields`, then message.stream() again
 * ```
 *
 * @throws DkimError naming the offending option (`dkim.keySelector`, `dkim[1].privateKey` …).
 * @since 0.1.0
 */
export function createDkimSigner(
  options: DkimOptions | readonly DkimOptions[],
  signerOptions: DkimSignerOptions = {},
): DkimSigner {
  const list: readonly DkimOptions[] = Array.isArray(options) ? options : [options as DkimOptions];
  if (list.length === 0) throw new DkimError("dkim", "must name at least one signature");
  const signatures = list.map((o, i) =>
    resolveSignature(Array.isArray(options) ? `dkim[${i}]` : "dkim", o),
  );
  const createSha256 = signerOptions.createSha256 ?? (() => SHA256.create());
  if (typeof createSha256 !== "function") {
    throw new DkimError("createSha256", "must be a function returning a SHA-256 state");
  }
  const begin = () => new Signing(signatures, createSha256);
  return {
    begin,
    async sign(message, signOptions) {
      const signing = begin();
      for await (const chunk of message) signing.update(chunk);
      return signing.finish(signOptions);
    },
  };
}

/** One body hash per body canonicalization in use. */
interface BodyHash {
  canonicalizer: BodyCanonicalizer;
  hash: Sha256Like;
}

class Signing implements DkimSigning {
  readonly #signatures: readonly ResolvedSignature[];
  readonly #header = new HeaderSection();
  readonly #bodies = new Map<boolean, BodyHash>();
  #inBody = false;
  #finished = false;

  constructor(signatures: readonly ResolvedSignature[], createSha256: () => Sha256Like) {
    this.#signatures = signatures;
    for (const { bodyRelaxed } of signatures) {
      if (this.#bodies.has(bodyRelaxed)) continue;
      const hash = createSha256();
      this.#bodies.set(bodyRelaxed, {
        canonicalizer: new BodyCanonicalizer(bodyRelaxed, hash),
        hash,
      });
    }
  }

  update(chunk: Uint8Array): void {
    if (this.#finished) throw new Error("this message was already signed");
    if (!(chunk instanceof Uint8Array)) {
      throw new DkimError("message", "must be a stream of Uint8Array chunks");
    }
    let body = chunk;
    if (!this.#inBody) {
      const start = this.#header.write(chunk);
      if (start < 0) return;
      this.#inBody = true;
      body = chunk.subarray(start);
    }
    for (const { canonicalizer } of this.#bodies.values()) canonicalizer.write(body);
  }

  async finish(options: SignOptions = {}): Promise<string> {
    if (this.#finished) throw new Error("this message was already signed");
    this.#finished = true;
    const now = options.now ?? new Date();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw new DkimError("now", "must be a valid Date");
    }
    if (!this.#inBody) this.#header.end();
    const bodyHashes = new Map<boolean, string>();
    for (const [relaxed, { canonicalizer, hash }] of this.#bodies) {
      canonicalizer.end();
      bodyHashes.set(relaxed, encodeBase64(hash.digest()));
    }
    const fields = parseHeaderFields(this.#header.text());
    if (!fields.some((f) => f.name === "from")) {
      throw new DkimError(
        "message",
        "has no From header field, which a DKIM signature must cover (RFC 6376 §5.4)",
      );
    }
    const timestamp = Math.floor(now.getTime() / 1000);
    let out = "";
    for (const signature of this.#signatures) {
      out += await signOne(signature, fields, bodyHashes.get(signature.bodyRelaxed)!, timestamp);
    }
    return out;
  }
}

async function signOne(
  signature: ResolvedSignature,
  fields: readonly HeaderField[],
  bodyHash: string,
  timestamp: number,
): Promise<string> {
  const headerNames = fields.filter((f) => signature.signed.has(f.name)).map((f) => f.name);
  headerNames.push(...signature.overSigned);
  const prefix = signatureFieldPrefix({
    algorithm: signature.key.algorithm,
    canonicalization: signature.canonicalization,
    domain: signature.domain,
    selector: signature.selector,
    timestamp,
    expires: signature.expiresIn === undefined ? undefined : timestamp + signature.expiresIn,
    headerNames,
    bodyHash,
  });
  const ownField = signature.headerRelaxed ? relaxedField(prefix).slice(0, -2) : prefix;
  const data = signedFieldsData(fields, headerNames, signature.headerRelaxed) + ownField;
  const value = await signature.key.sign(binaryBytes(data));
  return completeSignatureField(prefix, encodeBase64(value));
}

/** The octets of a binary string (one character per octet). */
function binaryBytes(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
