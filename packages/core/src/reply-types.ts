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
  /** PIPELINING (RFC 2920): commands may be sent without waiting for each reply. */
  readonly pipelining: boolean;
  /** The advertised SIZE limit in octets; `undefined` when absent, `0` when advertised without a number (no limit). */
  readonly size: number | undefined;
  /** 8BITMIME (RFC 6152): 8-bit bodies are accepted. */
  readonly eightBitMime: boolean;
  /** SMTPUTF8 (RFC 6531): UTF-8 addresses and headers are accepted. */
  readonly smtpUtf8: boolean;
  /** STARTTLS (RFC 3207) is offered. */
  readonly startTls: boolean;
  /** AUTH mechanisms, upper-cased, from both `AUTH x y` and the old `AUTH=x y` forms. */
  readonly auth: readonly string[];
  /** ENHANCEDSTATUSCODES (RFC 2034): replies carry codes such as 5.1.1. */
  readonly enhancedStatusCodes: boolean;
  /** CHUNKING (RFC 3030): BDAT instead of DATA. */
  readonly chunking: boolean;
  /** BINARYMIME (RFC 3030): binary bodies with BDAT. */
  readonly binaryMime: boolean;
  /** DSN (RFC 3461): delivery status notifications can be requested. */
  readonly dsn: boolean;
  /** REQUIRETLS (RFC 8689) is offered. */
  readonly requireTls: boolean;
  /** Whether the greeting was answered with HELO (no extensions) rather than EHLO. */
  readonly helo: boolean;
}
