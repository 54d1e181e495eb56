/**
 * What kind of problem a {@link MimeError} reports. Only `invalid-input` exists today:
 * the caller's data was refused (before any byte was produced, or, for stream content,
 * when the stream broke its declared contract).
 *
 * @since 0.1.0
 */
export type MimeErrorKind = "invalid-input";

/**
 * The typed error of `@smtp/mime`. `field` names the offending input, e.g. `"to[2]"`,
 * `"attachments[0].filename"` or `"headers.X-Foo"`.
 *
 * @since 0.1.0
 */
export class MimeError extends Error {
  /** Always `"invalid-input"` for now. @since 0.1.0 */
  readonly kind: MimeErrorKind;
  /** The input field that was refused. @since 0.1.0 */
  readonly field: string;

  /** @since 0.1.0 */
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = "MimeError";
    this.kind = "invalid-input";
    this.field = field;
  }
}
