import type { RuntimeErrorTable } from "@smtp/core/transport-kit";

const network = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NODATA",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "EADDRINUSE",
  "ERR_SOCKET_CLOSED",
  "ERR_STREAM_DESTROYED",
  "ERR_STREAM_WRITE_AFTER_END",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
] as const;

/** OpenSSL's names for a certificate it did not accept, as Node reports them. */
const certificate = [
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "HOSTNAME_MISMATCH",
] as const;

/**
 * How `node:net` and `node:tls` errors read (Bun's too), for
 * `toTransportError` of `@smtp/core/transport-kit`: the `code`s of network failures and of
 * certificates OpenSSL refused, OpenSSL's `ERR_SSL_*` family, and OpenSSL's and Bun's
 * messages where the code says less (a plaintext server answering a ClientHello is
 * "wrong version number").
 *
 * @since 0.1.0
 */
export const NODE_ERRORS: RuntimeErrorTable = {
  codes: {
    ...Object.fromEntries(network.map((code) => [code, "network"])),
    ...Object.fromEntries(certificate.map((code) => [code, "certificate"])),
    ERR_SSL_WRONG_VERSION_NUMBER: "not-tls",
    ERR_TLS_HANDSHAKE_TIMEOUT: "tls",
  },
  codePatterns: [[/^ERR_(SSL|TLS|OSSL)_/, "tls"]],
  messages: [
    [/wrong version number|packet length too long|unknown protocol|http request/i, "not-tls"],
    [/SSL routines|PEM routines|tlsv1 alert|sslv3 alert/i, "tls"],
    // Bun reports some certificate failures with no code ("unable to verify … certificate").
    [/invalid CA|certificate/i, "certificate"],
  ],
};
