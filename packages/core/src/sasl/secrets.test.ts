import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { encodeBase64 } from "../base64.ts";
import type { Credentials } from "../session-types.ts";
import { createSaslClient } from "./create-sasl-client.ts";
import type { SaslClient } from "./sasl-client.ts";

// Security rule R14: no error carries a credential or a SASL payload, in any serialisation.

const USER = "user@example.test";
const PASSWORD = "pässwörd-Secret";
const TOKEN = "ya29.Secret-Token";
const ascii = (value: string): Uint8Array => new TextEncoder().encode(value);
const randomBytes = (length: number) => new Uint8Array(length).fill(65);

/** Every form of a secret that must not leak: the text, its UTF-8 base64, the PLAIN blob's. */
function forbidden(secret: string): string[] {
  const forms = [secret, encodeBase64(ascii(secret))];
  const blob = encodeBase64(ascii(`\0${USER}\0${secret}`));
  forms.push(blob);
  // The secret's base64 inside the blob, at each of the three alignments.
  for (let offset = 0; offset < 3; offset++) {
    forms.push(encodeBase64(ascii(`${"\0".repeat(offset)}${secret}`)).slice(4, -4));
  }
  return forms.filter((form) => form.length >= 6);
}

function serialisations(error: unknown): string {
  const e = error as Error;
  return [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 5 }), String(e.cause)].join(
    "\n",
  );
}

/** Drives a client into an error with hostile server messages; returns what was thrown. */
function failures(make: () => SaslClient): unknown[] {
  const hostile = [
    ascii(`r=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAx,s=${encodeBase64(ascii(PASSWORD))},i=1`),
    ascii(`v=${encodeBase64(ascii(PASSWORD))}`),
    ascii(`e=${PASSWORD}`),
    ascii(PASSWORD),
    new Uint8Array(0),
  ];
  const thrown: unknown[] = [];
  for (let depth = 0; depth < 4; depth++) {
    for (const message of hostile) {
      const client = make();
      try {
        client.initialResponse();
        for (let i = 0; i < depth; i++) client.respond(hostile[(i + 1) % hostile.length]!);
        client.respond(message);
      } catch (error) {
        thrown.push(error);
      }
    }
  }
  return thrown;
}

describe("SASL errors never carry secrets", () => {
  const password: Credentials = { user: USER, pass: PASSWORD };
  const token: Credentials = { user: USER, accessToken: TOKEN };

  it.each(["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"] as const)("%s", (method) => {
    const errors = failures(() => createSaslClient(method, password, { randomBytes }));
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      const text = serialisations(error);
      for (const form of forbidden(PASSWORD)) expect(text).not.toContain(form);
    }
  });

  it.each(["XOAUTH2", "OAUTHBEARER"] as const)("%s", (method) => {
    const errors = failures(() => createSaslClient(method, token));
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      const text = serialisations(error);
      for (const form of forbidden(TOKEN)) expect(text).not.toContain(form);
    }
  });

  it("invalid credentials", () => {
    const bad = [
      () => createSaslClient("PLAIN", { user: USER, pass: `${PASSWORD}\0` }),
      () => createSaslClient("XOAUTH2", { user: USER, accessToken: `${TOKEN}\x01` }),
      () => createSaslClient("OAUTHBEARER", { user: USER, accessToken: `${TOKEN}\n` }),
      () =>
        createSaslClient("SCRAM-SHA-256", { user: USER, pass: `${PASSWORD}\x07` }, { randomBytes }),
      () =>
        createSaslClient("SCRAM-SHA-256", { user: `${PASSWORD}\x07`, pass: "p" }, { randomBytes }),
    ];
    for (const run of bad) {
      expect(run).toThrow();
      try {
        run();
      } catch (error) {
        const text = serialisations(error);
        for (const form of [...forbidden(PASSWORD), ...forbidden(TOKEN)]) {
          expect(text).not.toContain(form);
        }
      }
    }
  });
});
