// The Deno suite's bridge to the verifiers: mailauth and dkimpy run under Node
// (tools/dkim-verify/src/cli.ts), given the message and the keys on stdin, never DNS.

import type { VerifierResult } from "../../../../tools/dkim-verify/src/types.ts";

const root = new URL("../../../../", import.meta.url);

function base64(data: Uint8Array): string {
  let text = "";
  for (let i = 0; i < data.length; i += 8192)
    text += String.fromCharCode(...data.subarray(i, i + 8192));
  return btoa(text);
}

/**
 * The verifiers' lines (`mailauth ed25519-sha256 d=… s=…: pass`) for `message`, and which
 * verifiers ran (dkimpy only where Debian's python3-dkim is installed, always under CI).
 */
export async function verify(
  message: Uint8Array,
  keys: Record<string, string>,
): Promise<{ lines: string[]; verifiers: string[] }> {
  const child = new Deno.Command("node", {
    args: ["--import", "tsx", "tools/dkim-verify/src/cli.ts"],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({ message: base64(message), keys })));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`the verifiers failed: ${new TextDecoder().decode(stderr)}`);
  const verdicts = JSON.parse(new TextDecoder().decode(stdout)) as Record<
    string,
    VerifierResult[] | null
  >;
  const ran = Object.entries(verdicts).filter(([, results]) => Array.isArray(results));
  return {
    lines: ran.flatMap(([name, results]) =>
      results!.map(
        (r) =>
          `${name} ${r.algorithm} d=${r.domain} s=${r.selector}: ${r.pass ? "pass" : `FAIL (${r.detail})`}`,
      ),
    ),
    verifiers: ran.map(([name]) => name),
  };
}

/** What `verify` gives when every one of `signatures` passed at every verifier that ran. */
export function allPass(
  verifiers: string[],
  signatures: [algorithm: string, domain: string, selector: string][],
): string[] {
  return verifiers.flatMap((v) => signatures.map(([a, d, s]) => `${v} ${a} d=${d} s=${s}: pass`));
}

/** A fresh key pair from WebCrypto: the private key as PKCS#8 PEM and its DKIM record. */
export async function webCryptoKey(
  kind: "rsa" | "ed25519",
): Promise<{ pem: string; record: string }> {
  const pair =
    kind === "rsa"
      ? await crypto.subtle.generateKey(
          {
            name: "RSASSA-PKCS1-v1_5",
            modulusLength: 2048,
            publicExponent: new Uint8Array([1, 0, 1]),
            hash: "SHA-256",
          },
          true,
          ["sign", "verify"],
        )
      : ((await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as CryptoKeyPair);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  const pem = `-----BEGIN PRIVATE KEY-----\n${base64(pkcs8)}\n-----END PRIVATE KEY-----\n`;
  // RSA keys are published as SPKI, Ed25519 keys as the bare 32 octets (RFC 8463 §4).
  const published = new Uint8Array(
    await crypto.subtle.exportKey(kind === "rsa" ? "spki" : "raw", pair.publicKey),
  );
  return { pem, record: `v=DKIM1; k=${kind}; p=${base64(published)}` };
}
