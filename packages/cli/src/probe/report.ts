import type { Capabilities } from "@smtp/client";
import type { NodeTlsInfo } from "@smtp/transport-node";

/**
 * What `smtp probe` found, the document `--json` prints (its schema is
 * {@link PROBE_REPORT_SCHEMA}).
 *
 * @since 0.1.0
 */
export interface ProbeReport {
  /** Where it connected and how. */
  server: {
    /** The host as given. */
    host: string;
    /** The TCP port. */
    port: number;
    /** `implicit` (TLS from the first byte), `starttls` or `none`. */
    tls: "implicit" | "starttls" | "none";
  };
  /** The 220 greeting's lines, as the server sent them (code included); empty when none came. */
  greeting: string[];
  /** The EHLO capabilities on the plaintext connection, before STARTTLS; `null` when there was none. */
  ehloBeforeTls: Record<string, string[]> | null;
  /** The EHLO capabilities the client works with (after STARTTLS, when used); `null` when EHLO never completed. */
  ehlo: Record<string, string[]> | null;
  /** The TLS layer; `null` on a connection without TLS. */
  tls: ProbeTls | null;
  /** AUTH: what is offered and what the client would choose. */
  auth: {
    /** Mechanisms offered (after STARTTLS, when used). */
    offered: string[];
    /** Mechanisms offered before STARTTLS (a password sent there would travel in clear). */
    offeredBeforeTls: string[];
    /** The mechanism the client picks for a user name and password; `null`: none fits. */
    withPassword: string | null;
    /** The mechanism the client picks for an OAuth 2 access token; `null`: none fits. */
    withToken: string | null;
  };
  /** The SIZE limit in octets: `0` advertised without a limit, `null` not advertised. */
  size: number | null;
  /** The extensions the client knows, whether offered and when the client uses them. */
  extensions: ProbeExtension[];
  /** Why the probe (or the client, with its defaults) would fail; `null` when nothing would. */
  error: ProbeError | null;
}

/** The TLS part of a {@link ProbeReport}. @since 0.1.0 */
export interface ProbeTls {
  /** e.g. `TLSv1.3`. */
  version: string | null;
  /** The cipher suite, e.g. `TLS_AES_256_GCM_SHA384`. */
  cipher: string | null;
  /** Whether the chain verifies against the trusted CAs and matches the server name. */
  verified: boolean;
  /** Why not, when it does not (Node's code, e.g. `CERT_HAS_EXPIRED`). */
  verifyError: string | null;
  /** The chain as presented, the server's certificate first. */
  certificates: ProbeCertificate[];
}

/** One certificate of {@link ProbeTls.certificates}. @since 0.1.0 */
export interface ProbeCertificate {
  /** Subject DN, e.g. `CN=mail.example.com`. */
  subject: string;
  /** Issuer DN. */
  issuer: string;
  /** Subject alternative names, e.g. `DNS:mail.example.com`. */
  subjectAltNames: string[];
  /** ISO 8601. */
  validFrom: string | null;
  /** ISO 8601. */
  validTo: string | null;
  /** Whole days from now until `validTo` (negative once expired). */
  daysToExpiry: number | null;
  /** SHA-256 fingerprint. */
  fingerprint256: string | null;
}

/** One row of {@link ProbeReport.extensions}. @since 0.1.0 */
export interface ProbeExtension {
  /** The EHLO keyword. */
  name: string;
  /** Whether the server offers it. */
  offered: boolean;
  /** `always`, `when-needed` (a message that needs it), `when-asked` (a flag), or `no`. */
  used: "always" | "when-needed" | "when-asked" | "no";
  /** What that means, in words. */
  note: string;
}

/** The error part of a {@link ProbeReport}. @since 0.1.0 */
export interface ProbeError {
  /** The `SmtpError` kind, e.g. `tls`. */
  kind: string;
  /** What happened. */
  message: string;
  /** The server's reply code, when a reply caused it. */
  code: number | null;
  /** The finer reason, e.g. `CERT_HAS_EXPIRED`. */
  detail: string | null;
}

/** The capabilities as a keyword → parameters record. */
export function capabilityRecord(caps: Capabilities | undefined): Record<string, string[]> | null {
  if (caps === undefined) return null;
  return Object.fromEntries([...caps.keywords].map(([keyword, params]) => [keyword, [...params]]));
}

/** The TLS part of the report from what the transport saw. */
export function tlsReport(info: NodeTlsInfo, now: number): ProbeTls {
  return {
    version: info.protocol ?? null,
    cipher: info.cipher ?? null,
    verified: info.authorized,
    verifyError: info.authorizationError ?? null,
    certificates: info.certificates.map((cert) => {
      const to = cert.validTo === undefined ? Number.NaN : Date.parse(cert.validTo);
      return {
        subject: cert.subject,
        issuer: cert.issuer,
        subjectAltNames: cert.subjectAltNames,
        validFrom: cert.validFrom ?? null,
        validTo: cert.validTo ?? null,
        daysToExpiry: Number.isNaN(to) ? null : Math.floor((to - now) / 86_400_000),
        fingerprint256: cert.fingerprint256 ?? null,
      };
    }),
  };
}

/** When the client uses each extension it knows, given what the server offers. */
export function extensionRows(
  caps: Capabilities | undefined,
  tls: { mode: ProbeReport["server"]["tls"]; startTlsOffered: boolean },
): ProbeExtension[] {
  const has = (name: string): boolean =>
    name === "STARTTLS" ? tls.startTlsOffered : (caps?.keywords.has(name) ?? false);
  const row = (name: string, used: ProbeExtension["used"], note: string): ProbeExtension => ({
    name,
    offered: has(name),
    used: has(name) ? used : "no",
    note,
  });
  const bdat = has("CHUNKING") && has("PIPELINING");
  return [
    row(
      "PIPELINING",
      "always",
      has("PIPELINING")
        ? "MAIL, RCPT and DATA go without waiting for each reply"
        : "one command per round trip",
    ),
    row(
      "CHUNKING",
      bdat ? "always" : "no",
      bdat
        ? "bodies go with BDAT"
        : has("CHUNKING")
          ? "BDAT needs PIPELINING too: DATA is used"
          : "bodies go with DATA",
    ),
    row(
      "SMTPUTF8",
      "when-needed",
      has("SMTPUTF8")
        ? "for non-ASCII addresses or a raw message's UTF-8 headers"
        : "a message with non-ASCII addresses is refused before MAIL",
    ),
    row(
      "8BITMIME",
      "when-needed",
      has("8BITMIME")
        ? "for a raw message with 8-bit octets (built messages are 7-bit)"
        : "a raw message with 8-bit octets is refused before MAIL",
    ),
    row("BINARYMIME", "when-needed", "for a binary raw message, with CHUNKING and PIPELINING"),
    row(
      "REQUIRETLS",
      "when-asked",
      has("REQUIRETLS") ? "with --require-tls (RFC 8689)" : "--require-tls fails with tls-required",
    ),
    row(
      "DSN",
      "when-asked",
      has("DSN") ? "NOTIFY/RET/ENVID when asked for" : "DSN requests are left out",
    ),
    row("ENHANCEDSTATUSCODES", "always", "replies carry codes such as 5.1.1, shown in errors"),
    tls.mode === "implicit"
      ? {
          name: "STARTTLS",
          offered: false,
          used: "no",
          note: "not needed: TLS from the first byte",
        }
      : row(
          "STARTTLS",
          tls.mode === "starttls" ? "always" : "no",
          tls.mode === "starttls"
            ? "TLS before AUTH and mail (required by default)"
            : "not used: --no-tls",
        ),
  ];
}
