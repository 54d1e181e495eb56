// Why the core hashes by itself (MD5, SHA-256, HMAC, PBKDF2 in plain TypeScript) instead of
// asking the caller to inject them: the core must run unchanged on every runtime with no
// dependency; SASL hashing is tiny and off the hot path (one AUTH per connection); a
// synchronous API keeps the state machine synchronous (WebCrypto's digest and deriveBits
// are async-only); and the tests compare every function against node:crypto on random
// inputs. Only randomness is injected (SessionOptions.randomBytes, for the SCRAM nonce),
// because the core has no entropy source of its own.

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
  /**
   * Makes this state a copy of `source`, which must come from the same algorithm and not be
   * finished; this state may be finished. Lets hot loops reuse one state instead of cloning.
   */
  copyFrom(source: HashState): this;
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
