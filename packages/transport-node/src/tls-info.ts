import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from "node:tls";

/**
 * One certificate the server presented, as `node:tls` reports it.
 *
 * @since 0.2.0
 */
export interface NodeTlsCertificate {
  /** The subject's distinguished name, e.g. `"CN=mail.example.com, O=Example"`. */
  subject: string;
  /** The issuer's distinguished name. */
  issuer: string;
  /** The subject alternative names, e.g. `["DNS:mail.example.com", "IP Address:192.0.2.1"]`. */
  subjectAltNames: string[];
  /** Start of validity, ISO 8601 (`undefined` when the runtime did not say). */
  validFrom: string | undefined;
  /** End of validity, ISO 8601 (`undefined` when the runtime did not say). */
  validTo: string | undefined;
  /** The serial number, upper-case hex. */
  serialNumber: string | undefined;
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint256: string | undefined;
}

/**
 * What the TLS layer of a connection negotiated and what the server presented: for
 * diagnostics (`smtp probe`), never needed to send mail.
 *
 * @since 0.2.0
 */
export interface NodeTlsInfo {
  /** The negotiated protocol, e.g. `"TLSv1.3"`. */
  protocol: string | undefined;
  /** The cipher suite's standard name, e.g. `"TLS_AES_256_GCM_SHA384"`. */
  cipher: string | undefined;
  /**
   * Whether the certificate chain verified against the trusted CAs and matched the server
   * name. Only `false` on a connection opened with `tls.rejectUnauthorized: false`: with
   * verification on, an unverified server never gets this far.
   */
  authorized: boolean;
  /** Why it did not verify (Node's code, e.g. `"DEPTH_ZERO_SELF_SIGNED_CERT"`), when it did not. */
  authorizationError: string | undefined;
  /** The chain as presented, the server's own certificate first. */
  certificates: NodeTlsCertificate[];
}

/** Most certificates read from a chain: real chains have 2 to 4; this bounds a hostile one. */
const MAX_CHAIN = 10;

function distinguishedName(name: unknown): string {
  if (typeof name !== "object" || name === null) return "";
  return Object.entries(name as Record<string, unknown>)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${key}=${v}`))
    .join(", ");
}

function isoDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function certificate(cert: PeerCertificate): NodeTlsCertificate {
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    subjectAltNames: cert.subjectaltname ? cert.subjectaltname.split(/,\s*/) : [],
    validFrom: isoDate(cert.valid_from),
    validTo: isoDate(cert.valid_to),
    serialNumber: cert.serialNumber?.toUpperCase(),
    fingerprint256: cert.fingerprint256,
  };
}

/**
 * Reads {@link NodeTlsInfo} from a connected TLS socket; `undefined` for a socket whose
 * handshake has not completed.
 */
export function readTlsInfo(socket: TLSSocket): NodeTlsInfo | undefined {
  const protocol = socket.getProtocol?.() ?? undefined;
  if (!protocol) return undefined;
  const certificates: NodeTlsCertificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (current && Object.keys(current).length > 0 && certificates.length < MAX_CHAIN) {
    // The root's issuerCertificate is itself; a fingerprint seen twice ends the walk.
    const key = current.fingerprint256 ?? `${certificates.length}`;
    if (seen.has(key)) break;
    seen.add(key);
    certificates.push(certificate(current));
    current = current.issuerCertificate;
  }
  const error = socket.authorizationError as unknown;
  return {
    protocol,
    cipher: socket.getCipher()?.standardName ?? socket.getCipher()?.name,
    authorized: socket.authorized === true,
    authorizationError:
      socket.authorized === true || error === null || error === undefined
        ? undefined
        : String((error as { code?: unknown }).code ?? error),
    certificates,
  };
}
