import type { Credentials } from "@smtp/core";
import { createSaslClient, encodeBase64 } from "@smtp/core/internal";
import { parseTranscript, replayTranscript } from "@smtp/core/replay";
import { describe, expect, it } from "vitest";
import type { SessionTap, TapEvent } from "../session-tap.ts";
import { randomBytesOf } from "./placeholders.ts";
import { scramServerFinal } from "./scram-server.ts";
import { writeTranscript } from "./transcript.ts";

// R10/R14: a recording with real credentials comes out with the placeholders, and still
// replays: the AUTH lines are recomputed, a SCRAM server signature too.

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const b64 = (bytes: Uint8Array): string => encodeBase64(bytes);
const PATTERN = "recording-random-pattern-0123456789";

/** A tap as the session factory leaves it after a set-up with AUTH and a QUIT. */
function tapOf(auth: Credentials, exchange: TapEvent[]): SessionTap {
  const events: TapEvent[] = [
    { type: "server", bytes: enc("220 mx.example.test ESMTP\r\n") },
    { type: "client", bytes: enc("EHLO client.example.test\r\n") },
    { type: "server", bytes: enc(`250-mx.example.test\r\n250 AUTH ${auth.method}\r\n`) },
    ...exchange,
    { type: "quit" },
    { type: "client", bytes: enc("QUIT\r\n") },
    { type: "server", bytes: enc("221 bye\r\n") },
    { type: "close", action: { type: "close", reason: "quit" } },
  ];
  return {
    options: { ehloName: "client.example.test", servername: "mx.example.test", secure: true, auth },
    events,
    jobs: new Map(),
    bodies: new Map(),
    results: new Map(),
    overflow: false,
  } as unknown as SessionTap;
}

async function check(auth: Credentials, exchange: TapEvent[], secrets: string[]): Promise<string> {
  const text = await writeTranscript({
    tap: tapOf(auth, exchange),
    randomPattern: PATTERN,
    source: "test",
    notes: [],
  });
  for (const secret of secrets) expect(text).not.toContain(secret);
  const outcome = replayTranscript(parseTranscript(text));
  expect(outcome.failure).toBeUndefined();
  return text;
}

describe("a recording's AUTH with placeholder credentials", () => {
  it("LOGIN: user and password answers recomputed, the server's challenges kept", async () => {
    const real: Credentials = { user: "bob@corp.example", pass: "hunter2-secret", method: "LOGIN" };
    const text = await check(
      real,
      [
        { type: "client", bytes: enc("AUTH LOGIN\r\n") },
        { type: "server", bytes: enc("334 VXNlcm5hbWU6\r\n") },
        { type: "client", bytes: enc(`${b64(enc(real.user))}\r\n`) },
        { type: "server", bytes: enc("334 UGFzc3dvcmQ6\r\n") },
        { type: "client", bytes: enc(`${b64(enc("hunter2-secret"))}\r\n`) },
        { type: "server", bytes: enc("235 2.7.0 welcome bob@corp.example\r\n") },
      ],
      [
        "bob@corp.example",
        "hunter2-secret",
        b64(enc("hunter2-secret")),
        b64(enc("bob@corp.example")),
      ],
    );
    expect(text).toContain(`C: ${b64(enc("user@example.test"))}`);
    expect(text).toContain("S: 235 2.7.0 welcome user@example.test");
  });

  it("SCRAM-SHA-256: the server-final signature recomputed for the placeholder password", async () => {
    const real: Credentials = {
      user: "alice@corp.example",
      pass: "s3cret-pass",
      method: "SCRAM-SHA-256",
    };
    const sasl = createSaslClient("SCRAM-SHA-256", real, { randomBytes: randomBytesOf(PATTERN) });
    const clientFirst = dec(sasl.initialResponse() as Uint8Array);
    const nonce = /r=([^,]+)/.exec(clientFirst)?.[1] as string;
    const serverFirst = `r=${nonce}server-part,s=${b64(enc("salt-of-16-bytes"))},i=4096`;
    const clientFinal = dec(sasl.respond(enc(serverFirst)));
    const serverFinal = await scramServerFinal(
      real.pass,
      clientFirst.slice(3),
      serverFirst,
      clientFinal.replace(/,p=[^,]*$/, ""),
    );
    // The recording's own exchange verifies: the server computation is right.
    expect(sasl.respond(enc(serverFinal))).toEqual(new Uint8Array(0));
    await check(
      real,
      [
        { type: "client", bytes: enc(`AUTH SCRAM-SHA-256 ${b64(enc(clientFirst))}\r\n`) },
        { type: "server", bytes: enc(`334 ${b64(enc(serverFirst))}\r\n`) },
        { type: "client", bytes: enc(`${b64(enc(clientFinal))}\r\n`) },
        { type: "server", bytes: enc(`334 ${b64(enc(serverFinal))}\r\n`) },
        { type: "client", bytes: enc("\r\n") },
        { type: "server", bytes: enc("235 2.7.0 ok\r\n") },
      ],
      ["alice", "s3cret-pass", b64(enc(clientFinal)), b64(enc(serverFinal))],
    );
  });

  it("PLAIN sent in two steps (a long password) stays in two steps with a long placeholder", async () => {
    const long = "p".repeat(450);
    const real: Credentials = { user: "carol@corp.example", pass: long, method: "PLAIN" };
    const text = await check(
      real,
      [
        { type: "client", bytes: enc("AUTH PLAIN\r\n") },
        { type: "server", bytes: enc("334 \r\n") },
        { type: "client", bytes: enc(`${b64(enc(`\0${real.user}\0${long}`))}\r\n`) },
        { type: "server", bytes: enc("235 ok\r\n") },
      ],
      [long, "carol"],
    );
    expect(text).toMatch(/^C: AUTH PLAIN$/m);
  });
});
