/**
 * One complete server reply (RFC 5321 §4.2), possibly multi-line.
 *
 * @since 0.1.0
 */
export interface Reply {
  /** The three-digit code, the same on every line. */
  code: number;
  /** The RFC 3463 enhanced status code ("2.1.5") when the first line starts with one. */
  enhancedCode?: string;
  /** Each line's text after the code and separator (and after the enhanced code, if any). */
  lines: string[];
}

/**
 * The server's capabilities from its EHLO (or LHLO) reply, keyword upper-cased.
 *
 * @since 0.1.0
 */
export interface Capabilities {
  /** Every keyword with its parameters, e.g. `"SIZE" -> ["10485760"]`, `"AUTH" -> ["PLAIN","LOGIN"]`. */
  readonly keywords: ReadonlyMap<string, readonly string[]>;
  readonly pipelining: boolean;
  /** The advertised SIZE limit in octets; `undefined` when absent, `0` when advertised without a number (no limit). */
  readonly size: number | undefined;
  readonly eightBitMime: boolean;
  readonly smtpUtf8: boolean;
  readonly startTls: boolean;
  /** AUTH mechanisms, upper-cased, from both `AUTH x y` and the old `AUTH=x y` forms. */
  readonly auth: readonly string[];
  readonly enhancedStatusCodes: boolean;
  readonly chunking: boolean;
  readonly binaryMime: boolean;
  readonly dsn: boolean;
  readonly requireTls: boolean;
  /** Whether the greeting was answered with HELO (no extensions) rather than EHLO. */
  readonly helo: boolean;
}
