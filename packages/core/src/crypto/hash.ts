/**
 * A running hash computation: feed it bytes, then take the digest once.
 *
 * @since 0.1.0
 */
export interface HashState {
  /** Adds bytes to the message. Not allowed after {@link HashState.digest}. */
  update(data: Uint8Array): HashState;
  /** Finishes the computation and returns the digest; the state is then spent. */
  digest(): Uint8Array;
  /** An independent copy of the state so far (HMAC and PBKDF2 reuse keyed prefixes this way). */
  clone(): HashState;
}

/**
 * A hash function as HMAC and PBKDF2 need it: its block and output lengths and a way to
 * start a computation.
 *
 * @since 0.1.0
 */
export interface HashAlgorithm {
  /** The usual name, e.g. `"SHA-256"`. */
  readonly name: string;
  /** The compression function's block length in bytes (64 for MD5 and SHA-256). */
  readonly blockLength: number;
  /** The digest length in bytes. */
  readonly outputLength: number;
  /** Starts a new computation. */
  create(): HashState;
}
