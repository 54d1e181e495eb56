// The two signatures the runtime suites (Deno, Bun) sign with, and where their public keys
// are published: RSA with relaxed/relaxed, Ed25519 with simple/simple.

/** The options of both signatures, for `createDkimSigner` or the client's `dkim`. */
export function testSignatures(rsaPem: string, ed25519Pem: string) {
  return [
    { domainName: "example.com", keySelector: "rsa", privateKey: rsaPem },
    {
      domainName: "example.com",
      keySelector: "ed",
      privateKey: ed25519Pem,
      canonicalization: "simple/simple" as const,
    },
  ];
}

/** The key records of both, by DNS name, for the verifiers. */
export function testKeyRecords(rsaRecord: string, ed25519Record: string): Record<string, string> {
  return {
    "rsa._domainkey.example.com": rsaRecord,
    "ed._domainkey.example.com": ed25519Record,
  };
}
