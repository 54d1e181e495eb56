import type { RuntimeErrorTable } from "@smtp/core/transport-kit";

/**
 * How Deno's errors read, for `toTransportError` of `@smtp/core/transport-kit`: Deno's
 * error names (`Deno.errors.*`, matched by name so any realm's errors classify alike) with
 * the POSIX code each stands for as `detail`, so a failure reads the same as on Node; and
 * rustls's messages, its certificate verdicts given the names Node uses for the same.
 *
 * @since 0.1.0
 */
export const DENO_ERRORS: RuntimeErrorTable = {
  codes: {
    ConnectionRefused: ["network", "ECONNREFUSED"],
    ConnectionReset: ["network", "ECONNRESET"],
    ConnectionAborted: ["network", "ECONNABORTED"],
    BrokenPipe: ["network", "EPIPE"],
    // The peer went away mid-handshake: Node reports that as ECONNRESET.
    UnexpectedEof: ["network", "ECONNRESET"],
    TimedOut: ["network", "ETIMEDOUT"],
    NotConnected: ["network", "ENOTCONN"],
    AddrInUse: ["network", "EADDRINUSE"],
    AddrNotAvailable: ["network", "EADDRNOTAVAIL"],
    NetworkUnreachable: ["network", "ENETUNREACH"],
    // A permission the process lacks will not appear by retrying.
    PermissionDenied: ["permission", "EACCES"],
    NotCapable: ["permission", "EACCES"],
  },
  messages: [
    // rustls, when the first bytes are no TLS record: the peer speaks plaintext.
    [/InvalidContentType|corrupt message/i, "not-tls"],
    [/NotValidForName|not valid for name/i, ["certificate", "ERR_TLS_CERT_ALTNAME_INVALID"]],
    [/certificate: (Expired|certificate expired)/i, ["certificate", "CERT_HAS_EXPIRED"]],
    [/UnknownIssuer|unknown issuer/i, ["certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]],
    [/certificate/i, "certificate"],
    [/tls|handshake|alert|webpki|rustls/i, "tls"],
    [/lookup address|Name or service not known|nodename nor servname/i, ["network", "ENOTFOUND"]],
  ],
};
