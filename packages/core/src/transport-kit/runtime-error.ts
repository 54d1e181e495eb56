import { SmtpError, type SmtpErrorDetail } from "../errors.ts";
import { peerName, type TransportPeer } from "./peer.ts";
import { starttlsInjectionError } from "./transport-errors.ts";

/**
 * What a transport was doing when its runtime failed: `connect` (TCP), `tls` (the implicit
 * TLS handshake), `starttls` (the handshake after STARTTLS), `read` or `write`.
 *
 * @since 0.1.0
 */
export type TransportStage = "connect" | "tls" | "starttls" | "read" | "write";

/**
 * What a runtime's error means, whatever the runtime:
 *
 * - `network`: refused, reset, unreachable, DNS, broken pipe, an operating-system time-out;
 * - `certificate`: the server's certificate was not accepted;
 * - `tls`: any other TLS failure (an alert, a protocol version, a bad key);
 * - `not-tls`: the peer does not speak TLS where a handshake was expected;
 * - `permission`: the process may not open the connection (Deno's permissions);
 * - `aborted`: an `AbortSignal` stopped the operation.
 *
 * @since 0.1.0
 */
export type RuntimeFailureKind =
  | "network"
  | "certificate"
  | "tls"
  | "not-tls"
  | "permission"
  | "aborted";

/** One row of a {@link RuntimeErrorTable}: the meaning, and the `detail` to report. @since 0.1.0 */
export type RuntimeFailure = RuntimeFailureKind | readonly [RuntimeFailureKind, SmtpErrorDetail];

/**
 * The only per-runtime part of error mapping: how to read the runtime's own error codes.
 * {@link toTransportError} looks up each error's `code`, then its `name`, in `codes`; then
 * tries `codePatterns` on the code and `messages` on the message. A row's detail defaults
 * to the code or name that matched it, in upper case (a runtime's own code, as
 * `SmtpErrorDetail` allows).
 *
 * @since 0.1.0
 */
export interface RuntimeErrorTable {
  /** Exact codes (`error.code`) or names (`error.name`) and what they mean. */
  readonly codes: Readonly<Record<string, RuntimeFailure>>;
  /** Families of codes, e.g. every `ERR_SSL_*`. */
  readonly codePatterns?: readonly (readonly [RegExp, RuntimeFailure])[];
  /** For errors a runtime reports without a telling code: patterns over the message. */
  readonly messages?: readonly (readonly [RegExp, RuntimeFailure])[];
}

/** Which meaning wins when the errors of one failure (a cause chain) disagree. */
const PRIORITY: readonly RuntimeFailureKind[] = [
  "aborted",
  "not-tls",
  "certificate",
  "tls",
  "permission",
  "network",
];

interface Found {
  kind: RuntimeFailureKind;
  detail: SmtpErrorDetail | undefined;
  error: unknown;
}

/**
 * Every error reachable from `error` through `cause` and `AggregateError.errors` (Node's
 * happy eyeballs), outermost first, at most 16.
 */
function errorChain(error: unknown): unknown[] {
  const seen: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.length < 16) {
    const next = queue.shift();
    if (next === undefined || next === null || seen.includes(next)) continue;
    seen.push(next);
    if (typeof next === "object") {
      const { cause, errors } = next as { cause?: unknown; errors?: unknown };
      if (cause !== undefined) queue.push(cause);
      if (Array.isArray(errors)) queue.push(...errors);
    }
  }
  return seen;
}

function field(error: unknown, name: "code" | "name" | "message"): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const value = (error as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function messageOf(error: unknown): string {
  return field(error, "message") ?? String(error);
}

/** A runtime's own code as a detail: upper case, as `SmtpErrorDetail` has them. */
function asDetail(code: string | undefined): SmtpErrorDetail | undefined {
  return code === undefined ? undefined : (code.toUpperCase() as Uppercase<string>);
}

function row(failure: RuntimeFailure, matched: string | undefined): Omit<Found, "error"> {
  return typeof failure === "string"
    ? { kind: failure, detail: asDetail(matched) }
    : { kind: failure[0], detail: failure[1] };
}

function classify(error: unknown, table: RuntimeErrorTable): Omit<Found, "error"> | undefined {
  const code = field(error, "code");
  const name = field(error, "name");
  if (name === "AbortError") return { kind: "aborted", detail: undefined };
  for (const key of [code, name]) {
    if (key !== undefined && Object.hasOwn(table.codes, key)) {
      return row(table.codes[key] as RuntimeFailure, key);
    }
  }
  if (code !== undefined) {
    for (const [pattern, failure] of table.codePatterns ?? []) {
      if (pattern.test(code)) return row(failure, code);
    }
  }
  const message = messageOf(error);
  for (const [pattern, failure] of table.messages ?? []) {
    if (pattern.test(message)) return row(failure, code);
  }
  return undefined;
}

/** The most telling meaning found along the chain, or undefined. */
function mostTelling(chain: unknown[], table: RuntimeErrorTable): Found | undefined {
  let best: Found | undefined;
  for (const error of chain) {
    const found = classify(error, table);
    if (found === undefined) continue;
    if (best === undefined || PRIORITY.indexOf(found.kind) < PRIORITY.indexOf(best.kind)) {
      best = { ...found, error };
    }
  }
  return best;
}

const DOING: Record<TransportStage, string> = {
  connect: "connecting to",
  tls: "the TLS handshake with",
  starttls: "the STARTTLS handshake with",
  read: "reading from",
  write: "writing to",
};

/**
 * Turns what a runtime threw into the one error shape every transport reports, with the
 * original error as `cause`:
 *
 * | meaning (from the table) | kind | retryable | detail |
 * | --- | --- | --- | --- |
 * | `network` | `connection` | yes | the code (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, `ENOTFOUND` …) |
 * | `certificate` | `tls` | no | the code (`CERT_HAS_EXPIRED` …), else `certificate` |
 * | `tls` | `tls` | no | the code, when there is one |
 * | `not-tls` in the STARTTLS handshake | `protocol` | no | `starttls-injection` |
 * | `not-tls` elsewhere | `tls` | no | `not-tls`, with a hint about the port |
 * | `permission` | `connection` | no | the code |
 * | `aborted` | `aborted` | no | — |
 * | nothing known, during a handshake | `tls` | no | the code, when there is one |
 * | nothing known, otherwise | `connection` | yes | the code, when there is one |
 *
 * `timeout` is never produced here: that kind is kept for the deadlines of the session,
 * the driver and the client, which own every clock. An operating system's time-out is a
 * `connection` error with detail `ETIMEDOUT`. An `SmtpError` is returned unchanged.
 *
 * @param error what the runtime threw or reported
 * @param table the runtime's codes
 * @param peer the server, named in the message
 * @param stage what the transport was doing
 * @since 0.1.0
 */
export function toTransportError(
  error: unknown,
  table: RuntimeErrorTable,
  peer: TransportPeer,
  stage: TransportStage,
): SmtpError {
  if (error instanceof SmtpError) return error;
  const where = peerName(peer);
  const found = mostTelling(errorChain(error), table);
  const source = found?.error ?? error;
  const code = field(source, "code") ?? field(source, "name");
  const said = `${code !== undefined && code !== "Error" ? `${code}: ` : ""}${messageOf(source)}`;
  const handshake = stage === "tls" || stage === "starttls";
  switch (found?.kind) {
    case "aborted":
      return new SmtpError({ kind: "aborted", message: `aborted (${where})`, cause: error });
    case "not-tls":
      if (stage === "starttls") return starttlsInjectionError(peer, error);
      return new SmtpError({
        kind: "tls",
        message:
          `TLS handshake with ${where} failed: the server does not speak TLS on this port ` +
          `(${said}). Is it a STARTTLS port (587, 25) used with implicit TLS? ` +
          "Use secure: false there, or port 465 for implicit TLS.",
        retryable: false,
        detail: "not-tls",
        cause: error,
      });
    case "certificate":
    case "tls":
      return new SmtpError({
        kind: "tls",
        message: `TLS with ${where} failed: ${said}`,
        retryable: false,
        ...detail(found.detail ?? (found.kind === "certificate" ? "certificate" : undefined)),
        cause: error,
      });
    case "permission":
      return new SmtpError({
        kind: "connection",
        message: `no permission for ${DOING[stage]} ${where}: ${said}`,
        retryable: false,
        ...detail(found.detail),
        cause: error,
      });
    case "network":
      return new SmtpError({
        kind: "connection",
        message: `${DOING[stage]} ${where} failed: ${said}`,
        retryable: true,
        ...detail(found.detail),
        cause: error,
      });
    default:
      return new SmtpError({
        kind: handshake ? "tls" : "connection",
        message: `${DOING[stage]} ${where} failed: ${said}`,
        retryable: !handshake,
        ...detail(asDetail(field(error, "code"))),
        cause: error,
      });
  }
}

function detail(value: SmtpErrorDetail | undefined): { detail?: SmtpErrorDetail } {
  return value === undefined ? {} : { detail: value };
}
