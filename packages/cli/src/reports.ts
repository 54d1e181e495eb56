/**
 * What `smtp replay --json` prints (schema {@link REPLAY_REPORT_SCHEMA}).
 *
 * @since 0.1.0
 */
export interface ReplayReport {
  /** The transcript file. */
  file: string;
  /** Whether every step (and every chunking, with `--every-chunking`) matched. */
  ok: boolean;
  /** `@source` of the transcript. */
  source: string | null;
  /** How many chunkings were replayed. */
  chunkings: number;
  /** Each message's outcome in the replay: `delivered`, `failed` (with the error kind) or `none`. */
  messages: {
    /** How the message ended. */
    outcome: "delivered" | "failed" | "none";
    /** The error kind of a failed message. */
    kind: string | null;
  }[];
  /** The first divergence, `null` when none. */
  failure: {
    /** The transcript line (0: the end of the file). */
    line: number;
    /** What differed, in words, with both sides of a byte mismatch. */
    message: string;
  } | null;
}

/**
 * What `smtp send --json` and `smtp record --json` print (schema {@link SEND_REPORT_SCHEMA}).
 *
 * @since 0.1.0
 */
export interface SendReport {
  /** Whether the server took the message for at least one recipient. */
  ok: boolean;
  /** `host:port (mode)`. */
  server: string;
  /** The Message-ID, when the message was built. */
  messageId: string | null;
  /** The envelope as sent. */
  envelope: {
    /** MAIL FROM. */
    from: string;
    /** Every RCPT TO. */
    to: string[];
  } | null;
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused. */
  rejected: {
    /** The address. */
    address: string;
    /** The reply code. */
    code: number;
    /** The enhanced status code, when sent. */
    enhancedCode: string | null;
    /** The server's text. */
    message: string;
  }[];
  /** The server's final reply to the data. */
  response: string | null;
  /** The transcript written (`smtp record`). */
  transcript: string | null;
  /** Why it failed, when it did. */
  error: ErrorReport | null;
}

/**
 * A failure in a `--json` document.
 *
 * @since 0.1.0
 */
export interface ErrorReport {
  /** The `SmtpError` kind (`auth`, `rejected`…), or `unexpected`. */
  kind: string;
  /** What happened. */
  message: string;
  /** The server's reply code. */
  code: number | null;
  /** The enhanced status code. */
  enhancedCode: string | null;
  /** The finer reason. */
  detail: string | null;
}

/**
 * What `smtp bulk --json` prints at the end (schema {@link BULK_REPORT_SCHEMA}).
 *
 * @since 0.1.0
 */
export interface BulkReport {
  /** Rows read from the CSV file. */
  total: number;
  /** Messages the server took for every recipient. */
  sent: number;
  /** Messages the server took for some recipients and refused for others (each refusal is in `failed.csv`). */
  partial: number;
  /** Rows not delivered (each is in `failed.csv`, with the error's kind, code and text). */
  failed: number;
  /** Milliseconds from the first connection to the last reply. */
  elapsedMs: number;
  /** Where the failed rows were written; `null` when none failed. */
  failedCsv: string | null;
}
