/**
 * What kind of problem a {@link DkimError} reports. Only `invalid-input` exists: the
 * options, the key or the message were refused (before any signature was made).
 *
 * @since 0.1.0
 */
export type DkimErrorKind = "invalid-input";

/**
 * The typed error of `@smtp/dkim`. `field` names the offending input, e.g.
 * `"dkim.privateKey"`, `"dkim[1].keySelector"` or `"message"`.
 *
 * @since 0.1.0
 */
export class DkimError extends Error {
  /** Always `"invalid-input"`. @since 0.1.0 */
  readonly kind: DkimErrorKind;
  /** The input that was refused. @since 0.1.0 */
  readonly field: string;

  /** @since 0.1.0 */
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = "DkimError";
    this.kind = "invalid-input";
    this.field = field;
  }
}
