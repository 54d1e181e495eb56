import { SmtpError } from "@smtp/core";

/**
 * Whether `bytes` start like a TLS record (handshake 22 or alert 21, version 3.x): no SMTP
 * reply starts so, but a server that expects implicit TLS answers plaintext this way.
 *
 * @since 0.1.0
 */
export function looksLikeTlsRecord(bytes: Uint8Array): boolean {
  return (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03;
}

/**
 * The error for TLS where the greeting should be, with the option that fixes it.
 *
 * @since 0.1.0
 */
export function tlsOnPlaintextError(): SmtpError {
  return new SmtpError({
    kind: "tls",
    message:
      "the server answered with TLS on a plaintext connection: " +
      "it expects implicit TLS (secure: true, usually port 465).",
    retryable: false,
    detail: "tls-on-plaintext",
  });
}
