import { decodeBase64, encodeBase64 } from "@smtp/core/internal";

const utf8 = (text: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(new TextEncoder().encode(text));
/** A copy on its own ArrayBuffer, as WebCrypto's types want. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const subtle = globalThis.crypto.subtle;
  const k = await subtle.importKey("raw", own(key), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await subtle.sign("HMAC", k, own(data)));
}

/**
 * The SCRAM-SHA-256 server-final message (`v=…`, RFC 5802 §3) that a server holding
 * `password` would send for this exchange: what a recording puts in place of the server's
 * real one once the password is replaced, so that the engine verifies it in the replay.
 *
 * @param clientFirstBare - `n=…,r=…` as the engine sends it for the placeholder user.
 * @param serverFirst - the server's first message, as recorded.
 * @param clientFinalWithoutProof - `c=…,r=…`.
 */
export async function scramServerFinal(
  password: string,
  clientFirstBare: string,
  serverFirst: string,
  clientFinalWithoutProof: string,
): Promise<string> {
  const salt = /(?:^|,)s=([^,]*)/.exec(serverFirst)?.[1];
  const iterations = Number(/(?:^|,)i=(\d+)/.exec(serverFirst)?.[1]);
  if (salt === undefined || !Number.isSafeInteger(iterations) || iterations < 1) {
    throw new Error("the recorded SCRAM server-first message has no salt or iteration count");
  }
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey("raw", utf8(password), "PBKDF2", false, ["deriveBits"]);
  const salted = new Uint8Array(
    await subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: own(decodeBase64(salt)), iterations },
      key,
      256,
    ),
  );
  const serverKey = await hmac(salted, utf8("Server Key"));
  const authMessage = utf8(`${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`);
  return `v=${encodeBase64(await hmac(serverKey, authMessage))}`;
}
