import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import type { TranscriptEntry } from "../src/index.ts";
import { parseTranscript, replayTranscript, type Transcript } from "../src/replay/index.ts";

const dir = fileURLToPath(new URL("./transcripts/", import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".smtp"))
  .sort();
const load = (name: string): Transcript => parseTranscript(readFileSync(dir + name, "utf8"));

/**
 * R14: the only credentials fixtures may hold: the peers' documented test accounts, the
 * seed article's already-public ones (tom/neron12, and "***" where it censored them), and
 * the documented fake OAuth token (with its long variant for the two-step AUTH).
 */
const PASSWORDS = new Map([
  ["user@example.test", "password"],
  ["utf8user@example.test", "pässwörd"],
  ["tom", "neron12"],
  ["***", "***"],
]);
const TOKEN = /^test-access-token(-x+)?$/;

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");
const unb64 = (text: string): string => Buffer.from(text, "base64").toString("utf8");
const textOf = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

interface AuthExchange {
  file: string;
  mechanism: string;
  /** Client responses after the AUTH line (and the initial response, first, when given). */
  responses: string[];
  /** Server challenges (334 texts), decoded. */
  challenges: string[];
}

/** Finds every SASL exchange in a transcript's client and server lines. */
function authExchanges(file: string, transcript: Transcript): AuthExchange[] {
  const found: AuthExchange[] = [];
  let current: AuthExchange | undefined;
  for (const step of transcript.steps) {
    if (step.type === "client") {
      for (const line of textOf(step.bytes).split("\r\n").slice(0, -1)) {
        const auth = /^AUTH (\S+)(?: (\S+))?$/.exec(line);
        if (auth) {
          current = {
            file,
            mechanism: auth[1] as string,
            responses: auth[2] ? [auth[2]] : [],
            challenges: [],
          };
          found.push(current);
        } else if (current) current.responses.push(line);
      }
    } else if (step.type === "server" && current) {
      const last = textOf(step.bytes).trimEnd().split("\r\n").at(-1) ?? "";
      if (last.startsWith("334")) current.challenges.push(unb64(last.slice(4)));
      else current = undefined;
    }
  }
  return found;
}

function expectKnownPassword(user: string, pass: string, where: string): void {
  expect(PASSWORDS.get(user), `${where}: unknown user ${JSON.stringify(user)}`).toBeDefined();
  expect(pass, `${where}: a password that is not the documented one`).toBe(PASSWORDS.get(user));
}

describe("R14 fixtures hold only the documented test credentials", () => {
  // Parsed on first use, not while collecting (see replay-fixtures.test.ts).
  let found: AuthExchange[] | undefined;
  const exchanges = (): AuthExchange[] =>
    (found ??= files.flatMap((file) => authExchanges(file, load(file))));

  it("finds the AUTH exchanges of the fixtures (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, SCRAM-SHA-256)", () => {
    expect(new Set(exchanges().map((exchange) => exchange.mechanism))).toEqual(
      new Set(["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "SCRAM-SHA-256"]),
    );
  });

  it("R14 every AUTH payload in test/transcripts decodes to the documented credentials", () => {
    for (const { file, mechanism, responses, challenges } of exchanges()) {
      const where = `${file} ${mechanism}`;
      const decoded = responses.filter((response) => response !== "").map(unb64);
      // Refused before any payload (e.g. 530 to "AUTH LOGIN"): nothing to check.
      if (decoded.length === 0) continue;
      if (mechanism === "PLAIN") {
        const [, user = "", pass = ""] = (decoded[0] ?? "").split("\0");
        expectKnownPassword(user, pass, where);
      } else if (mechanism === "LOGIN") {
        expectKnownPassword(decoded[0] ?? "", decoded[1] ?? "", where);
      } else if (mechanism === "CRAM-MD5") {
        const [user = "", digest] = (decoded[0] ?? "").split(" ");
        const pass = PASSWORDS.get(user) ?? "";
        expect(digest, where).toBe(
          createHmac("md5", pass)
            .update(challenges[0] ?? "")
            .digest("hex"),
        );
      } else if (mechanism === "XOAUTH2") {
        const match = /^user=([^\x01]*)\x01auth=Bearer ([^\x01]*)\x01\x01$/.exec(decoded[0] ?? "");
        expect(match, where).not.toBeNull();
        expect(PASSWORDS.has(match?.[1] ?? ""), where).toBe(true);
        expect(match?.[2], where).toMatch(TOKEN);
      } else {
        // SCRAM-SHA-256: the user in the client-first message, and a proof made with the
        // documented password (RFC 5802 §3).
        const first = (decoded[0] ?? "").replace(/^n,,/, "");
        const user = /^n=([^,]*)/.exec(first)?.[1] ?? "";
        const serverFirst = challenges[0] ?? "";
        const final = decoded[1] ?? "";
        const salt = Buffer.from(/s=([^,]*)/.exec(serverFirst)?.[1] ?? "", "base64");
        const iterations = Number(/i=(\d+)/.exec(serverFirst)?.[1]);
        const withoutProof = final.replace(/,p=.*$/, "");
        const salted = pbkdf2Sync(PASSWORDS.get(user) ?? "", salt, iterations, 32, "sha256");
        const clientKey = createHmac("sha256", salted).update("Client Key").digest();
        const signature = createHmac("sha256", createHash("sha256").update(clientKey).digest())
          .update(`${first},${serverFirst},${withoutProof}`)
          .digest();
        const proof = Buffer.from(
          clientKey.map((byte, i) => byte ^ (signature[i] as number)),
        ).toString("base64");
        expect(final, where).toBe(`${withoutProof},p=${proof}`);
      }
    }
  });

  it("R14 every @job credential is a documented one", () => {
    for (const file of files) {
      const auth = load(file).job.auth;
      if (!auth) continue;
      if ("pass" in auth) expectKnownPassword(auth.user, auth.pass, file);
      else expect(auth.accessToken, file).toMatch(TOKEN);
    }
  });
});

/** Base64 forms of a secret: alone, and inside a larger blob at each of the three alignments. */
function base64Forms(secret: string): string[] {
  const forms = [b64(secret)];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret, "utf8")]).toString(
      "base64",
    );
    // Only the quanta made of secret bytes alone are the same in any blob at this alignment.
    const start = Math.ceil(offset / 3) * 4;
    const end = Math.floor((offset + Buffer.byteLength(secret)) / 3) * 4;
    if (end > start) forms.push(encoded.slice(start, end));
  }
  return forms;
}

describe("R10 the engine's transcript never holds a password or token", () => {
  const cases = [
    "auth-plain-initial-response-bdat-last.smtp",
    "auth-plain-refused-535-not-retryable.smtp",
    "auth-login-implicit-tls-pipelined.smtp",
    "auth-login-refused-535-quit.smtp",
    "auth-plain-over-tls-before-cram-md5.smtp",
    "auth-cram-md5-after-starttls.smtp",
    "auth-xoauth2-initial-response.smtp",
    "auth-xoauth2-error-json.smtp",
    "auth-xoauth2-long-token-two-step.smtp",
    "auth-plain-utf8-password.smtp",
    "auth-scram-sha-256.smtp",
    "auth-login-wrong-password-535.smtp",
  ];
  for (const file of cases) {
    it(`R10 ${file}: neither the secret nor its base64 (alone or at any of three offsets) is recorded`, () => {
      const transcript = load(file);
      const auth = transcript.job.auth;
      if (!auth) throw new Error(`${file} has no credentials`);
      const secret = "pass" in auth ? auth.pass : auth.accessToken;
      const entries: TranscriptEntry[] = [];
      const outcome = replayTranscript(transcript, { transcript: (entry) => entries.push(entry) });
      const wire = textOf(outcome.written);
      const recorded = entries.map((entry) => `${entry.direction}: ${entry.text}`).join("\n");
      // The replay really sent the credentials (so the check below is not vacuous)…
      expect(
        entries.some((entry) => entry.direction === "C" && entry.text.startsWith("AUTH ")),
      ).toBe(true);
      const errors = [
        outcome.close?.error,
        ...outcome.results.map((result) =>
          result && "error" in result ? result.error : undefined,
        ),
      ]
        .filter((error) => error !== undefined)
        .map((error) =>
          [
            error.message,
            error.stack,
            JSON.stringify(error),
            inspect(error, { depth: 5 }),
            String(error),
          ].join("\n"),
        )
        .join("\n");
      for (const form of [secret, ...base64Forms(secret)]) {
        expect(recorded, `${file}: ${form} in the transcript`).not.toContain(form);
        expect(errors, `${file}: ${form} in an error`).not.toContain(form);
      }
      // …and the forms checked are the ones that reached the wire for the plain mechanisms.
      if (["PLAIN", "LOGIN"].includes(/^AUTH (\S+)/m.exec(wire)?.[1] ?? "")) {
        expect(base64Forms(secret).some((form) => wire.includes(form))).toBe(true);
      }
    });
  }
});
