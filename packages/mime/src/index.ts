/**
 * `@smtp/mime`: a streaming RFC 5322 / MIME message builder.
 *
 * Platform-free (no Node, no DOM): web streams and `Uint8Array` only; the clock and
 * randomness are injected so output is byte-stable in tests.
 *
 * @module
 */
export {};
