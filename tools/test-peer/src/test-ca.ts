// tsyringe, used inside @peculiar/x509, needs the Reflect metadata API installed first.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(globalThis.crypto);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;

/** What a certificate issued by the test CA is for. @since 0.1.0 */
export interface IssueOptions {
  /** Subject common name. Default: the first DNS name, else "test". */
  commonName?: string;
  /** DNS names in subjectAltName. */
  dns?: string[];
  /** IP addresses in subjectAltName. */
  ips?: string[];
  /** Default: an hour ago. */
  notBefore?: Date;
  /** Default: 30 days from now. */
  notAfter?: Date;
  /** `server` (extendedKeyUsage serverAuth, the default) or `client` (clientAuth). */
  usage?: "server" | "client";
}

/** A certificate and its private key, PEM-encoded. @since 0.1.0 */
export interface IssuedCertificate {
  certPem: string;
  /** PKCS#8 private key. */
  keyPem: string;
  /** The certificate followed by the CA's, as servers send it. */
  fullchainPem: string;
}

/** A throwaway CA and a server certificate for `localhost`, `127.0.0.1` and `::1`. @since 0.1.0 */
export interface TestCa extends IssuedCertificate {
  /** The CA certificate (CA:TRUE): what clients trust. */
  caPem: string;
  /** Issues another certificate from the same CA (a client certificate, an expired one, another name…). */
  issue(options: IssueOptions): Promise<IssuedCertificate>;
}

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function serial(): string {
  // A positive serial: the high bit of the first byte clear.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString("hex");
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await globalThis.crypto.subtle.generateKey(ALGORITHM, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
}

/**
 * Makes a test CA (CA:TRUE) and a CA:FALSE server certificate for `localhost`, `127.0.0.1`
 * and `::1` with extendedKeyUsage serverAuth (rustls rejects a CA used as an end-entity
 * certificate). Pure JavaScript (WebCrypto), so it runs where no `openssl` is installed.
 *
 * @since 0.1.0
 */
export async function createTestCa(options: { commonName?: string } = {}): Promise<TestCa> {
  const now = Date.now();
  const caKeys = await newKeys();
  const caName = `CN=${options.commonName ?? "@smtp test CA"}`;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: caName,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    signingAlgorithm: ALGORITHM,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caPem = caCert.toString("pem");

  const issue = async (params: IssueOptions): Promise<IssuedCertificate> => {
    const keys = await newKeys();
    const dns = params.dns ?? [];
    const ips = params.ips ?? [];
    const usage =
      params.usage === "client"
        ? x509.ExtendedKeyUsage.clientAuth
        : x509.ExtendedKeyUsage.serverAuth;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${params.commonName ?? dns[0] ?? "test"}`,
      issuer: caCert.subject,
      notBefore: params.notBefore ?? new Date(now - 3_600_000),
      notAfter: params.notAfter ?? new Date(now + 30 * DAY),
      signingAlgorithm: ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage], false),
        ...(dns.length + ips.length > 0
          ? [
              new x509.SubjectAlternativeNameExtension([
                ...dns.map((value) => ({ type: "dns" as const, value })),
                ...ips.map((value) => ({ type: "ip" as const, value })),
              ]),
            ]
          : []),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const certPem = cert.toString("pem");
    const pkcs8 = await globalThis.crypto.subtle.exportKey("pkcs8", keys.privateKey);
    return {
      certPem: certPem.endsWith("\n") ? certPem : `${certPem}\n`,
      keyPem: pem("PRIVATE KEY", pkcs8),
      fullchainPem: `${certPem.trimEnd()}\n${caPem.trimEnd()}\n`,
    };
  };

  const server = await issue({ dns: ["localhost"], ips: ["127.0.0.1", "::1"] });
  return { caPem: caPem.endsWith("\n") ? caPem : `${caPem}\n`, ...server, issue };
}
