import type { Capabilities, ClientOptions, ClientTranscriptEntry } from "@smtp/client";
import { createClient, SmtpError } from "@smtp/client";
import { chooseMechanism } from "@smtp/core/internal";
import type { TlsWatch } from "../connector.ts";
import { SessionTap } from "../session-tap.ts";
import {
  capabilityRecord,
  extensionRows,
  type ProbeError,
  type ProbeReport,
  tlsReport,
} from "./report.ts";

/** What to probe: where, how, and the client options (TLS, EHLO name, deadlines). */
export interface ProbeTarget {
  host: string;
  port: number;
  mode: ProbeReport["server"]["tls"];
  /** Options for the client; `tls.rejectUnauthorized` is turned off here (see below). */
  options: ClientOptions;
  watch: TlsWatch;
  /** Whether an unverified certificate counts as an error (not with `--no-verify`). */
  verify: boolean;
  /** Aborts the probe (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** Each line of the conversation, for `--debug`. */
  transcript?: (entry: ClientTranscriptEntry) => void;
}

/** A random source, so that SCRAM counts as a mechanism the client can pick. */
const randomBytes = (length: number): Uint8Array =>
  globalThis.crypto.getRandomValues(new Uint8Array(length));

function errorOf(error: unknown): ProbeError {
  if (error instanceof SmtpError) {
    return {
      kind: error.kind,
      message: error.message,
      code: error.code ?? null,
      detail: error.detail ?? null,
    };
  }
  return { kind: "unexpected", message: String(error), code: null, detail: null };
}

/**
 * Connects, reads the greeting, says EHLO, upgrades with STARTTLS (or starts with TLS),
 * says EHLO again and QUITs, through `@smtp/client` as `verify()` does, without AUTH and
 * without a message. The certificate is checked but not required to verify, so that the
 * probe can show a bad one; the report says whether it verifies, and `error` holds what a
 * client with default settings would fail with.
 */
export async function runProbe(target: ProbeTarget): Promise<ProbeReport> {
  const lines: ClientTranscriptEntry[] = [];
  let tap: SessionTap | undefined;
  const client = createClient(
    {
      ...target.options,
      transcript: (entry) => {
        if (lines.length < 1000) lines.push(entry);
        target.transcript?.(entry);
      },
    },
    { sessionFactory: (options) => (tap = new SessionTap(options)) },
  );
  let caps: Capabilities | undefined;
  let failure: unknown;
  try {
    caps = await client.verify({ signal: target.signal });
  } catch (error) {
    failure = error;
    caps = tap?.capabilities;
  } finally {
    await client.close();
  }
  const before = target.mode === "starttls" ? tap?.capabilitiesBeforeTls : undefined;
  // Before STARTTLS the engine reports its pre-TLS EHLO as the session's capabilities.
  const beforeTls = before ?? (target.mode === "starttls" && !target.watch.info ? caps : undefined);
  const afterTls = target.mode === "starttls" && !target.watch.info ? undefined : caps;
  const tls = target.watch.info ? tlsReport(target.watch.info, Date.now()) : null;
  let error = failure === undefined ? null : errorOf(failure);
  if (error === null && tls && !tls.verified && target.verify) {
    error = {
      kind: "tls",
      message: `the certificate does not verify (${tls.verifyError ?? "unknown reason"}): the client refuses it unless told not to verify`,
      code: null,
      detail: tls.verifyError,
    };
  }
  const offered = afterTls?.auth ?? [];
  return {
    server: { host: target.host, port: target.port, tls: target.mode },
    greeting: greetingOf(lines),
    ehloBeforeTls: capabilityRecord(beforeTls),
    ehlo: capabilityRecord(afterTls),
    tls,
    auth: {
      offered: [...offered],
      offeredBeforeTls: [...(beforeTls?.auth ?? [])],
      withPassword:
        chooseMechanism(offered, { user: "u", pass: "p" }, { randomBytes, secure: tls !== null }) ??
        null,
      withToken: chooseMechanism(offered, { user: "u", accessToken: "t" }) ?? null,
    },
    size: afterTls?.size ?? null,
    extensions: extensionRows(afterTls, {
      mode: target.mode,
      startTlsOffered: (beforeTls ?? afterTls)?.startTls ?? false,
    }),
    error,
  };
}

/** The server's lines before the client's first: the 220 greeting. */
function greetingOf(lines: readonly ClientTranscriptEntry[]): string[] {
  const greeting: string[] = [];
  for (const line of lines) {
    if (line.connection !== 1 || line.direction === "*") continue;
    if (line.direction === "C") break;
    greeting.push(line.text);
  }
  return greeting;
}
