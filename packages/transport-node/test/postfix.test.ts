import { randomUUID } from "node:crypto";
import type { Transport } from "@smtp/core/transport-kit";

import {
  hasPostfix,
  maildirOf,
  type PostfixEnv,
  postfixEnv,
  waitForMaildirMessage,
} from "@smtp-internal/test-peer";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeConnector } from "../src/index.ts";
import { encode } from "./servers.ts";

/** Reads one complete (possibly multi-line) reply. */
async function reply(transport: Transport, pending: { text: string }): Promise<string> {
  const decoder = new TextDecoder();
  for (;;) {
    const lines = pending.text.split("\r\n");
    const end = lines.findIndex((l) => /^\d{3} /.test(l) || /^\d{3}$/.test(l));
    if (end >= 0) {
      const consumed = lines.slice(0, end + 1).join("\r\n").length + 2;
      const text = pending.text.slice(0, consumed);
      pending.text = pending.text.slice(consumed);
      return text;
    }
    const chunk = await transport.read();
    if (chunk === null) throw new Error(`end-of-stream after ${JSON.stringify(pending.text)}`);
    pending.text += decoder.decode(chunk);
  }
}

async function command(transport: Transport, pending: { text: string }, line: string) {
  await transport.write(encode(`${line}\r\n`));
  return reply(transport, pending);
}

const plainAuth = (user: string, pass: string): string =>
  Buffer.from(`\0${user}\0${pass}`, "utf8").toString("base64");

// Runs in CI, where .ci/run starts Postfix and exports SMTP_*; skipped (and reported as
// skipped) on a machine without it.
if (!hasPostfix())
  console.warn(
    "@smtp/transport-node: Postfix tests skipped: SMTP_HOST and the other settings of /var/lib/smtp-test-peer/env are not set (.ci/run sets up Postfix)",
  );

describe.runIf(hasPostfix())("against the Postfix peer (SMTP_PORT set by .ci/run)", () => {
  let env: PostfixEnv;
  beforeAll(async () => {
    env = (await postfixEnv()) as PostfixEnv;
  });

  it("STARTTLS on the submission port, AUTH, CHUNKING and SMTPUTF8, and a delivered message", async () => {
    const transport = await nodeConnector({ tls: { ca: env.caPem } })({
      host: env.host,
      port: env.submissionPort,
      tls: "starttls",
    });
    const pending = { text: "" };
    expect(await reply(transport, pending)).toMatch(/^220 /);
    expect(await command(transport, pending, "EHLO client.example.test")).toMatch(/STARTTLS/);
    expect(await command(transport, pending, "STARTTLS")).toMatch(/^220 /);
    await transport.startTls({ servername: "localhost" });
    expect(transport.secure).toBe(true);
    const ehlo = await command(transport, pending, "EHLO client.example.test");
    expect(ehlo).toMatch(/CHUNKING/);
    expect(ehlo).toMatch(/SMTPUTF8/);
    expect(ehlo).toMatch(/SIZE 10485760/);
    expect(
      await command(transport, pending, `AUTH PLAIN ${plainAuth(env.user, env.pass)}`),
    ).toMatch(/^235 /);
    const id = `<${randomUUID()}@client.example.test>`;
    const to = `transport-${randomUUID().slice(0, 8)}@${env.catchallDomain}`;
    expect(await command(transport, pending, `MAIL FROM:<${env.user}>`)).toMatch(/^250 /);
    expect(await command(transport, pending, `RCPT TO:<${to}>`)).toMatch(/^250 /);
    expect(await command(transport, pending, "RCPT TO:<nobody@example.test>")).toMatch(
      /^550 5\.1\.1/,
    );
    const body = `Message-ID: ${id}\r\nSubject: transport test\r\n\r\nhello\r\n`;
    // BDAT carries the message right after the command, in the same write.
    await transport.write(encode(`BDAT ${encode(body).byteLength} LAST\r\n${body}`));
    expect(await reply(transport, pending)).toMatch(/^250 /);
    expect(await command(transport, pending, "QUIT")).toMatch(/^221 /);
    expect(await transport.read()).toBeNull();
    await transport.close();
    const delivered = await waitForMaildirMessage(maildirOf(env, to), (_raw, text) =>
      text.includes(id),
    );
    expect(new TextDecoder().decode(delivered.raw)).toContain("\nhello\n");
  });

  it.each([
    ["127.0.0.1", "host"],
    ["::1", "host6"],
  ] as const)("implicit TLS on the smtps port over %s, with AUTH", async (_label, key) => {
    const host = env[key] ?? "::1";
    const transport = await nodeConnector({ tls: { ca: env.caPem } })({
      host,
      port: env.smtpsPort,
      tls: "implicit",
    });
    expect(transport.secure).toBe(true);
    expect(transport.remoteAddress).toBe(host);
    const pending = { text: "" };
    expect(await reply(transport, pending)).toMatch(/^220 /);
    expect(await command(transport, pending, "EHLO client.example.test")).toMatch(/AUTH /);
    expect(
      await command(transport, pending, `AUTH PLAIN ${plainAuth(env.user, env.pass)}`),
    ).toMatch(/^235 /);
    expect(await command(transport, pending, "QUIT")).toMatch(/^221 /);
    await transport.close();
  });

  it("a client that does not trust the CA gets a `tls` error from the smtps port", async () => {
    await expect(
      nodeConnector()({ host: env.host, port: env.smtpsPort, tls: "implicit" }),
    ).rejects.toMatchObject({ kind: "tls", retryable: false });
  });

  it("implicit TLS against the STARTTLS port fails with the port-pairing hint", async () => {
    await expect(
      nodeConnector({ tls: { ca: env.caPem } })({
        host: env.host,
        port: env.port,
        tls: "implicit",
      }),
    ).rejects.toMatchObject({ kind: "tls", detail: "not-tls" });
  });

  it("over ::1 on the STARTTLS port: SMTPUTF8 mail to a UTF-8 address, and the SIZE limit", async () => {
    const transport = await nodeConnector({ tls: { ca: env.caPem } })({
      host: env.host6 ?? "::1",
      port: env.port,
      tls: "starttls",
    });
    const pending = { text: "" };
    await reply(transport, pending);
    await command(transport, pending, "EHLO client.example.test");
    expect(await command(transport, pending, "STARTTLS")).toMatch(/^220 /);
    await transport.startTls({ servername: "localhost" });
    await command(transport, pending, "EHLO client.example.test");
    expect(
      await command(transport, pending, `MAIL FROM:<${env.user}> SIZE=${env.sizeLimit + 1}`),
    ).toMatch(/^552 5\.3\.4/);
    // Postfix 3.7 keeps a refused SIZE= for the next MAIL without SIZE until RSET.
    expect(await command(transport, pending, "RSET")).toMatch(/^250 /);
    const id = `<${randomUUID()}@client.example.test>`;
    const to = `δοκιμή-${randomUUID().slice(0, 8)}@${env.catchallDomain}`;
    expect(await command(transport, pending, `MAIL FROM:<${env.user}> SMTPUTF8`)).toMatch(/^250 /);
    expect(await command(transport, pending, `RCPT TO:<${to}>`)).toMatch(/^250 /);
    expect(await command(transport, pending, "DATA")).toMatch(/^354 /);
    const body = `Message-ID: ${id}\r\nSubject: Grüße\r\n\r\nκείμενο\r\n.\r\n`;
    expect(await command(transport, pending, body.slice(0, -2))).toMatch(/^250 /);
    expect(await command(transport, pending, "QUIT")).toMatch(/^221 /);
    await transport.close();
    const delivered = await waitForMaildirMessage(maildirOf(env, to), (_raw, text) =>
      text.includes(id),
    );
    expect(new TextDecoder().decode(delivered.raw)).toContain("κείμενο");
  });

  it("the no-TLS port offers AUTH in cleartext and no STARTTLS", async () => {
    const transport = await nodeConnector()({ host: env.host, port: env.plainPort, tls: "none" });
    const pending = { text: "" };
    await reply(transport, pending);
    const ehlo = await command(transport, pending, "EHLO client.example.test");
    expect(ehlo).toMatch(/AUTH /);
    expect(ehlo).not.toMatch(/STARTTLS/);
    await command(transport, pending, "QUIT");
    await transport.close();
  });
});
