import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { caught } from "../errors.test-util.ts";
import {
  createScramSha256Client,
  generateScramNonce,
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
} from "./scram-sha-256.ts";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const ascii = (value: string): Uint8Array => new TextEncoder().encode(value);

const RFC_NONCE = "rOprNGfwEbeRWgbNEkqO";
const RFC_SERVER_FIRST =
  "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const RFC_CLIENT_FINAL =
  "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

/** A SCRAM-SHA-256 server built on node:crypto, independent of the code under test. */
function nodeServer(pass: string, salt: Buffer, iterations: number) {
  const salted = pbkdf2Sync(Buffer.from(pass, "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return {
    /** Checks the client's proof; returns the server-final message. */
    verify(clientFirstBare: string, serverFirst: string, clientFinal: string): string {
      const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(",p="));
      const proof = Buffer.from(clientFinal.slice(clientFinal.lastIndexOf(",p=") + 3), "base64");
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const signature = createHmac("sha256", storedKey).update(authMessage).digest();
      const recoveredKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]!));
      expect(createHash("sha256").update(recoveredKey).digest().equals(storedKey)).toBe(true);
      return `v=${createHmac("sha256", serverKey).update(authMessage).digest("base64")}`;
    },
  };
}

/** Runs the client up to its final message against a given server-first. */
function toFinal(serverFirst: string, options = {}) {
  const client = createScramSha256Client("user", "pencil", RFC_NONCE, options);
  client.initialResponse();
  return { client, final: () => client.respond(ascii(serverFirst)) };
}

describe("SCRAM-SHA-256", () => {
  it("reproduces the RFC 7677 §3 exchange exactly", () => {
    const client = createScramSha256Client("user", "pencil", RFC_NONCE);
    expect(client.name).toBe("SCRAM-SHA-256");
    expect(text(client.initialResponse()!)).toBe("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    expect(client.complete).toBe(false);
    expect(text(client.respond(ascii(RFC_SERVER_FIRST)))).toBe(RFC_CLIENT_FINAL);
    expect(client.complete).toBe(false);
    expect(client.respond(ascii(RFC_SERVER_FINAL))).toEqual(new Uint8Array(0));
    expect(client.complete).toBe(true);
  });

  it("sends the client-first message on the empty 334 of a bare AUTH", () => {
    const client = createScramSha256Client("user", "pencil", RFC_NONCE);
    expect(text(client.respond(new Uint8Array(0)))).toBe("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    expect(text(client.respond(ascii(RFC_SERVER_FIRST)))).toBe(RFC_CLIENT_FINAL);
  });

  it("authenticates against a node:crypto server for random credentials and salts", () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(
        printable,
        fc
          .string({ unit: "grapheme-ascii", maxLength: 30 })
          .filter((p) => !/[\0-\x1f\x7f]/.test(p)),
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        printable.filter((nonce) => !nonce.includes(",")),
        (user, pass, salt, serverNonce) => {
          const server = nodeServer(pass, Buffer.from(salt), SCRAM_MIN_ITERATIONS);
          const client = createScramSha256Client(user, pass, "clientnonce");
          const clientFirst = text(client.initialResponse()!);
          expect(clientFirst.startsWith("n,,n=")).toBe(true);
          const clientFirstBare = clientFirst.slice(3);
          // The user name comes back out of the saslname escaping.
          const sent = clientFirstBare.slice(2, clientFirstBare.indexOf(",r="));
          expect(sent).not.toMatch(/,|=(?!2C|3D)/);
          expect(sent.replaceAll("=2C", ",").replaceAll("=3D", "=")).toBe(user);
          const serverFirst = `r=clientnonce${serverNonce},s=${Buffer.from(salt).toString("base64")},i=${SCRAM_MIN_ITERATIONS}`;
          const clientFinal = text(client.respond(ascii(serverFirst)));
          expect(clientFinal.startsWith(`c=biws,r=clientnonce${serverNonce},p=`)).toBe(true);
          const serverFinal = server.verify(clientFirstBare, serverFirst, clientFinal);
          expect(client.respond(ascii(serverFinal))).toEqual(new Uint8Array(0));
          expect(client.complete).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });

  it("authenticates the documented UTF-8 test user (pässwörd, NFC and NFD alike)", () => {
    const salt = Buffer.from("0123456789abcdef");
    const server = nodeServer("pässwörd", salt, 4096);
    for (const pass of ["pässwörd", "pässwörd".normalize("NFD")]) {
      const client = createScramSha256Client("utf8user@example.test", pass, "cn");
      const bare = text(client.initialResponse()!).slice(3);
      const serverFirst = `r=cnSN,s=${salt.toString("base64")},i=4096`;
      const final = text(client.respond(ascii(serverFirst)));
      expect(client.respond(ascii(server.verify(bare, serverFirst, final)))).toHaveLength(0);
      expect(client.complete).toBe(true);
    }
  });

  it("escapes = and , in the user name (=3D, =2C)", () => {
    const client = createScramSha256Client("a=b,c", "p", "n");
    expect(text(client.initialResponse()!)).toBe("n,,n=a=3Db=2Cc,r=n");
  });

  it("SASLpreps the user name and the password", () => {
    // U+00AD is mapped to nothing, U+00A0 to a space, U+2168 (Ⅸ) NFKC-normalised to "IX".
    const client = createScramSha256Client("us\u00ADer\u2168", "pen\u00A0cil", "n");
    expect(text(client.initialResponse()!)).toBe("n,,n=userIX,r=n");
    const salt = Buffer.from("salt");
    const server = nodeServer("pen cil", salt, 4096);
    const serverFirst = `r=nX,s=${salt.toString("base64")},i=4096`;
    const final = text(client.respond(ascii(serverFirst)));
    expect(() => server.verify("n=userIX,r=n", serverFirst, final)).not.toThrow();
  });

  it.each([
    ["an empty user name", "", "p"],
    ["a user name that preps to nothing", "\u00AD", "p"],
    ["a control character in the user name", "us\ter", "p"],
    ["a control character in the password", "user", "pass\nword"],
    ["a lone surrogate in the password", "user", "pass\uD800"],
  ])("refuses %s", (_, user, pass) => {
    const error = caught(() => createScramSha256Client(user, pass, "n"));
    expect(error.kind).toBe("invalid-input");
    if (pass.length > 1) expect(error.message).not.toContain(pass);
  });

  it.each(["", "a,b", "caf\u00e9", "sp ace"])("refuses the client nonce %j", (nonce) => {
    expect(caught(() => createScramSha256Client("u", "p", nonce)).kind).toBe("invalid-input");
  });

  it("refuses a non-empty first challenge before anything was sent", () => {
    const client = createScramSha256Client("user", "pencil", RFC_NONCE);
    expect(caught(() => client.respond(ascii("r=x"))).detail).toBe("sasl-unexpected-challenge");
  });

  describe("refuses a bad server-first-message", () => {
    const MESSAGES: Record<string, string> = {
      "scram-bad-nonce": "SCRAM-SHA-256: server nonce does not extend the client nonce",
      "scram-malformed": "SCRAM-SHA-256: malformed server-first-message",
      "scram-iterations": "SCRAM-SHA-256: iteration count too high",
      "scram-server-error": "SCRAM-SHA-256: server error: unknown-user",
    };
    const salt = "s=W22ZaJ0SNY7soEsUEjb6gQ==";
    const serverNonce = `r=${RFC_NONCE}%hvY`;
    it.each<[string, string, string, string?]>([
      [
        "a nonce that does not start with ours",
        `r=other${RFC_NONCE},${salt},i=4096`,
        "scram-bad-nonce",
      ],
      ["a nonce equal to ours", `r=${RFC_NONCE},${salt},i=4096`, "scram-bad-nonce"],
      [
        "a nonce with a non-printable character",
        `r=${RFC_NONCE}\u00e9,${salt},i=4096`,
        "scram-malformed",
      ],
      [
        "a mandatory extension",
        `m=ext,${serverNonce},${salt},i=4096`,
        "scram-malformed",
        "SCRAM-SHA-256: unsupported mandatory extension",
      ],
      ["attributes out of order", `${salt},${serverNonce},i=4096`, "scram-malformed"],
      ["a missing iteration count", `${serverNonce},${salt}`, "scram-malformed"],
      ["an empty message", "", "scram-malformed"],
      ["a salt that is not base64", `${serverNonce},s=***,i=4096`, "scram-malformed"],
      ["an empty salt", `${serverNonce},s=,i=4096`, "scram-malformed"],
      ["a non-numeric count", `${serverNonce},${salt},i=4k`, "scram-malformed"],
      ["a count with a leading zero", `${serverNonce},${salt},i=04096`, "scram-malformed"],
      ["a negative count", `${serverNonce},${salt},i=-4096`, "scram-malformed"],
      [
        "a count below 4096",
        `${serverNonce},${salt},i=4095`,
        "scram-iterations",
        "SCRAM-SHA-256: iteration count too low",
      ],
      ["a count above 600000", `${serverNonce},${salt},i=600001`, "scram-iterations"],
      ["a huge count", `${serverNonce},${salt},i=99999999999999999999`, "scram-malformed"],
      ["a server error", "e=unknown-user", "scram-server-error"],
      ["a nonce and nothing more", serverNonce, "scram-malformed"],
      ["a misnamed nonce", `q=${RFC_NONCE}%hvY,${salt},i=4096`, "scram-malformed"],
      ["a misnamed salt", `${serverNonce},t=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, "scram-malformed"],
      ["a misnamed count", `${serverNonce},${salt},j=4096`, "scram-malformed"],
      ["a non-printable nonce end", `r=${RFC_NONCE}x\u00e9,${salt},i=4096`, "scram-malformed"],
      ["a non-printable nonce middle", `r=${RFC_NONCE}\u00e9x,${salt},i=4096`, "scram-malformed"],
    ])("%s", (_, serverFirst, detail, message = MESSAGES[detail]) => {
      const { client, final } = toFinal(serverFirst);
      const error = caught(final);
      expect(error).toMatchObject({ kind: "auth", detail, message });
      // A failed step ends the exchange.
      expect(caught(() => client.respond(ascii(RFC_SERVER_FINAL))).detail).toBe(
        "sasl-unexpected-challenge",
      );
      expect(client.complete).toBe(false);
    });
  });

  it("refuses a server-first-message that is not UTF-8", () => {
    const { client } = toFinal("");
    expect(caught(() => client.respond(new Uint8Array([0x72, 0x3d, 0xff]))).detail).toBe(
      "scram-malformed",
    );
  });

  it("accepts the bounds themselves and honours custom bounds", () => {
    const salt = "s=W22ZaJ0SNY7soEsUEjb6gQ==";
    expect(SCRAM_MIN_ITERATIONS).toBe(4096);
    expect(SCRAM_MAX_ITERATIONS).toBe(600_000);
    expect(() => toFinal(`r=${RFC_NONCE}x,${salt},i=4096`).final()).not.toThrow();
    expect(
      caught(toFinal(`r=${RFC_NONCE}x,${salt},i=5000`, { maxIterations: 4999 }).final).detail,
    ).toBe("scram-iterations");
    expect(() =>
      toFinal(`r=${RFC_NONCE}x,${salt},i=1`, { minIterations: 1 }).final(),
    ).not.toThrow();
  });

  it("a count at a custom maximum passes, one over is refused", () => {
    const salt = "s=W22ZaJ0SNY7soEsUEjb6gQ==";
    const options = { maxIterations: 5000 };
    expect(() => toFinal(`r=${RFC_NONCE}x,${salt},i=5000`, options).final()).not.toThrow();
    expect(caught(toFinal(`r=${RFC_NONCE}x,${salt},i=5001`, options).final).message).toBe(
      "SCRAM-SHA-256: iteration count too high",
    );
  });

  it("names every registered server error in its message", () => {
    for (const value of [
      "invalid-encoding",
      "extensions-not-supported",
      "invalid-proof",
      "channel-bindings-dont-match",
      "server-does-support-channel-binding",
      "channel-binding-not-supported",
      "unsupported-channel-binding-type",
      "unknown-user",
      "invalid-username-encoding",
      "no-resources",
      "other-error",
    ]) {
      expect(caught(toFinal(`e=${value}`).final).message).toBe(
        `SCRAM-SHA-256: server error: ${value}`,
      );
    }
  });

  it("decodes the server's messages as strict UTF-8, extensions included", () => {
    const first = toFinal("");
    const error = caught(() =>
      first.client.respond(new Uint8Array([...ascii(`${RFC_SERVER_FIRST},x=`), 0xff])),
    );
    expect(error).toMatchObject({
      detail: "scram-malformed",
      message: "SCRAM-SHA-256: malformed server-first-message",
    });
    const { client, final } = toFinal(RFC_SERVER_FIRST);
    final();
    const last = caught(() =>
      client.respond(new Uint8Array([...ascii(`${RFC_SERVER_FINAL},x=`), 0xff])),
    );
    expect(last).toMatchObject({
      detail: "scram-malformed",
      message: "SCRAM-SHA-256: malformed server-final-message",
    });
  });

  it("says what was wrong with the credentials, the nonce and the random source", () => {
    expect(caught(() => createScramSha256Client("", "p", RFC_NONCE)).message).toBe(
      "SCRAM-SHA-256: the user name is empty or has a prohibited character",
    );
    expect(caught(() => createScramSha256Client("u", "p\u0007", RFC_NONCE)).message).toBe(
      "SCRAM-SHA-256: the password has a prohibited character",
    );
    expect(caught(() => createScramSha256Client("u", "p", "a,b")).message).toBe(
      "SCRAM-SHA-256: the client nonce must be printable ASCII without ','",
    );
    expect(caught(() => generateScramNonce(() => new Uint8Array(23))).message).toBe(
      "randomBytes(24) must return 24 bytes",
    );
  });

  it("says a challenge came out of turn", () => {
    const early = createScramSha256Client("user", "pencil", RFC_NONCE);
    expect(caught(() => early.respond(ascii("r=x"))).message).toBe(
      "SCRAM-SHA-256: unexpected challenge",
    );
    const { client, final } = toFinal(RFC_SERVER_FIRST);
    final();
    client.respond(ascii(RFC_SERVER_FINAL));
    expect(caught(() => client.respond(new Uint8Array(0))).message).toBe(
      "SCRAM-SHA-256: unexpected challenge",
    );
  });

  it("ignores extensions after the iteration count", () => {
    const { final } = toFinal(`${RFC_SERVER_FIRST},x=ext`);
    expect(text(final()).startsWith("c=biws,r=")).toBe(true);
  });

  describe("checks the server-final-message", () => {
    const atFinal = () => {
      const client = createScramSha256Client("user", "pencil", RFC_NONCE);
      client.initialResponse();
      client.respond(ascii(RFC_SERVER_FIRST));
      return client;
    };

    it("refuses a wrong server signature with a generic message", () => {
      const client = atFinal();
      const error = caught(() =>
        client.respond(ascii("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")),
      );
      expect(error).toMatchObject({ kind: "auth", detail: "scram-server-signature" });
      expect(error.message).toBe("SCRAM-SHA-256: server signature mismatch");
      expect(client.complete).toBe(false);
    });

    it("refuses a truncated signature", () => {
      expect(caught(() => atFinal().respond(ascii("v=6rriTRB"))).detail).toBe("scram-malformed");
      expect(caught(() => atFinal().respond(ascii("v=6rriTRBi23WpRR/w"))).detail).toBe(
        "scram-server-signature",
      );
    });

    it.each([
      ["no v=", "x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="],
      ["an empty message", ""],
      ["a signature that is not base64", "v=!!!!"],
    ])("refuses %s", (_, serverFinal) => {
      expect(caught(() => atFinal().respond(ascii(serverFinal)))).toMatchObject({
        detail: "scram-malformed",
        message: "SCRAM-SHA-256: malformed server-final-message",
      });
    });

    it("names a registered server error, and only a registered one", () => {
      const known = caught(() => atFinal().respond(ascii("e=invalid-proof")));
      expect(known).toMatchObject({ kind: "auth", detail: "scram-server-error" });
      expect(known.message).toBe("SCRAM-SHA-256: server error: invalid-proof");
      const unknown = caught(() => atFinal().respond(ascii("e=secret-looking-thing,x=1")));
      expect(unknown.message).toBe("SCRAM-SHA-256: server error");
    });

    it("accepts extensions after the signature, then nothing more", () => {
      const client = atFinal();
      expect(client.respond(ascii(`${RFC_SERVER_FINAL},x=1`))).toEqual(new Uint8Array(0));
      expect(client.complete).toBe(true);
      expect(caught(() => client.respond(new Uint8Array(0))).detail).toBe(
        "sasl-unexpected-challenge",
      );
    });
  });
});

describe("generateScramNonce", () => {
  it("base64-encodes 24 random bytes: printable, no comma", () => {
    const asked: number[] = [];
    const nonce = generateScramNonce((length) => {
      asked.push(length);
      return Uint8Array.from({ length }, (_, i) => (i * 37 + 250) & 255);
    });
    expect(asked).toEqual([24]);
    expect(nonce).toHaveLength(32);
    expect(nonce).toMatch(/^[\x21-\x2b\x2d-\x7e]+$/);
    expect(Buffer.from(nonce, "base64")).toEqual(
      Buffer.from(Uint8Array.from({ length: 24 }, (_, i) => (i * 37 + 250) & 255)),
    );
  });

  it("is always usable as a SCRAM nonce", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), (bytes) => {
        const nonce = generateScramNonce(() => bytes);
        expect(() => createScramSha256Client("u", "p", nonce)).not.toThrow();
      }),
    );
  });

  it.each([
    ["too few bytes", () => new Uint8Array(8)],
    ["too many bytes", () => new Uint8Array(32)],
    ["not a Uint8Array", () => [1, 2, 3] as unknown as Uint8Array],
  ])("refuses a random source that returns %s", (_, source) => {
    expect(caught(() => generateScramNonce(source))).toMatchObject({
      kind: "invalid-input",
      detail: "bad-random-bytes",
    });
  });
});
