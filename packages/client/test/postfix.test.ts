import { createHash, randomBytes } from "node:crypto";
import { createClient, SmtpError } from "@smtp/client";
import type { Connector } from "@smtp/core/transport-kit";

import { nodeConnector } from "@smtp/transport-node";
import { describeVerdicts, testKey, verifyDkim } from "@smtp-internal/dkim-verify";
import {
  hasPostfix,
  maildirOf,
  type PostfixEnv,
  postfixEnv,
  waitForMaildirMessage,
} from "@smtp-internal/test-peer";
import { beforeAll, describe, expect, it } from "vitest";
import { forbiddenSecrets, parse } from "./helpers.ts";

// Runs against the Postfix peer that `.ci/run` sets up (`.ci/postfix-setup.sh`); skipped,
// and announced as such, when it is not configured in this environment.
if (!hasPostfix())
  console.warn(
    "@smtp/client: Postfix tests skipped: SMTP_HOST and the other settings of /var/lib/smtp-test-peer/env are not set (.ci/run sets up Postfix)",
  );

describe.skipIf(!hasPostfix())("against Postfix", () => {
  let env: PostfixEnv;
  beforeAll(async () => {
    env = (await postfixEnv())!;
  });

  const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  async function delivered(address: string, messageId: string) {
    const found = await waitForMaildirMessage(maildirOf(env, address), (_raw, text) =>
      text.includes(messageId),
    );
    return parse(found.raw);
  }

  const hosts = () => [env.host, ...(env.host6 ? [env.host6] : [])];

  // One delivery per AUTH mechanism through Postfix: more than the default 20 s on a loaded machine.
  it("submission: STARTTLS and AUTH (each mechanism), CHUNKING, the Maildir copy matches", async () => {
    for (const host of hosts()) {
      for (const method of ["PLAIN", "LOGIN", "CRAM-MD5"] as const) {
        const lines: string[] = [];
        const client = createClient({
          host,
          port: env.submissionPort,
          starttls: "required",
          tls: { ca: env.caPem, servername: "localhost" },
          auth: { user: env.user, pass: env.pass, method },
          transcript: (e) => lines.push(`${e.direction} ${e.text}`),
        });
        const id = unique();
        const info = await client.send({
          from: env.user,
          to: env.user,
          subject: `Grüße über Postfix ${id}`,
          text: `Hello ${id}\n.\nwith a lone dot line\n`,
          html: `<p>Hello <b>${id}</b></p>`,
          attachments: [{ filename: "data.bin", content: new Uint8Array([0, 1, 2, 254, 255]) }],
        });
        await client.close();
        expect(info.accepted).toEqual([env.user]);
        expect(lines).toContain("C STARTTLS");
        expect(lines.some((l) => l.startsWith(`C AUTH ${method}`))).toBe(true);
        expect(lines.some((l) => l.startsWith("C BDAT"))).toBe(true);
        // R10: only what the client wrote could carry the secret.
        const written = lines.filter((l) => !l.startsWith("S ")).join("\n");
        for (const s of forbiddenSecrets(env.user, env.pass)) expect(written).not.toContain(s);
        const parsed = await delivered(env.user, info.messageId);
        expect(parsed.subject).toBe(`Grüße über Postfix ${id}`);
        expect(parsed.text).toBe(`Hello ${id}\n.\nwith a lone dot line\n`);
        expect(parsed.html).toContain(`<b>${id}</b>`);
        expect([...(parsed.attachments[0]?.content ?? [])]).toEqual([0, 1, 2, 254, 255]);
      }
    }
  }, 60_000);

  it("BDAT with a 3 MiB attachment from mime's reused buffers: the Maildir copy's SHA-256 matches", async () => {
    const data = new Uint8Array(randomBytes(3 * 1024 * 1024));
    const lines: string[] = [];
    const client = createClient({
      host: env.host,
      port: env.submissionPort,
      starttls: "required",
      tls: { ca: env.caPem, servername: "localhost" },
      auth: { user: env.user, pass: env.pass },
      transcript: (e) => lines.push(`${e.direction} ${e.text}`),
    });
    const id = unique();
    const info = await client.send({
      from: env.user,
      to: env.user,
      subject: `big ${id}`,
      text: `attachment ${id}\n`,
      attachments: [{ filename: "big.bin", content: data }],
    });
    await client.close();
    expect(lines.filter((l) => l.startsWith("C BDAT")).length).toBeGreaterThan(10);
    const parsed = await delivered(env.user, info.messageId);
    const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    expect(sha256(parsed.attachments[0]?.content ?? new Uint8Array())).toBe(sha256(data));
  });

  /** Connects to Postfix's plain port whatever host the client was given: a "remote" server. */
  const toPlainPort = (): Connector => {
    const inner = nodeConnector();
    return (target, signal) => inner({ ...target, host: env.host, port: env.plainPort }, signal);
  };

  it("R8: the plain port (AUTH offered, no STARTTLS) of a non-loopback host", async () => {
    const lines: string[] = [];
    const options = {
      host: "mail.example.com",
      auth: { user: env.user, pass: env.pass },
      transport: toPlainPort(),
      transcript: (e: { direction: string; text: string }) =>
        lines.push(`${e.direction} ${e.text}`),
    };
    const mail = { from: env.user, to: env.user, subject: "never sent", text: "x" };
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as SmtpError,
      );

    const required = await failure(createClient(options).send(mail));
    expect(required).toBeInstanceOf(SmtpError);
    expect(required?.kind).toBe("tls-required");
    const insecure = await failure(createClient({ ...options, starttls: "never" }).send(mail));
    expect(insecure).toBeInstanceOf(SmtpError);
    expect(insecure?.kind).toBe("insecure-auth");
    // Both spoke EHLO to the server, which offered AUTH; neither sent it.
    expect(lines.filter((l) => l.startsWith("C EHLO")).length).toBe(2);
    expect(lines.some((l) => /^S 250[- ]AUTH /.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith("C AUTH"))).toBe(false);
    expect(lines.some((l) => l.startsWith("C MAIL"))).toBe(false);

    const id = unique();
    const allowed = createClient({ ...options, starttls: "never", allowInsecureAuth: true });
    const info = await allowed.send({ ...mail, subject: `plain ${id}` });
    await allowed.close();
    expect(info.accepted).toEqual([env.user]);
    expect(lines.some((l) => l.startsWith("C AUTH"))).toBe(true);
    expect((await delivered(env.user, info.messageId)).subject).toBe(`plain ${id}`);
  });

  it("implicit TLS with AUTH", async () => {
    const client = createClient({
      host: env.host,
      port: env.smtpsPort,
      secure: true,
      tls: { ca: env.caPem, servername: "localhost" },
      auth: { user: env.user, pass: env.pass },
    });
    const id = unique();
    const info = await client.send({
      from: env.user,
      to: env.user,
      subject: `smtps ${id}`,
      text: id,
    });
    await client.close();
    expect((await delivered(env.user, info.messageId)).subject).toBe(`smtps ${id}`);
  });

  it("SMTPUTF8: an internationalised recipient", async () => {
    const client = createClient({
      host: env.host,
      port: env.submissionPort,
      tls: { ca: env.caPem, servername: "localhost" },
      auth: { user: env.user, pass: env.pass },
    });
    const id = unique();
    const to = `jörg-${id}@${env.catchallDomain}`;
    const info = await client.send({ from: env.user, to, subject: `EAI ${id}`, text: "x" });
    await client.close();
    expect(info.accepted).toEqual([to]);
    const parsed = await delivered(to, info.messageId);
    const address = Array.isArray(parsed.to) ? undefined : parsed.to?.value[0]?.address;
    expect(address).toBe(to);
  });

  it("reports refused recipients, and all refused as kind rejected", async () => {
    const client = createClient({
      host: env.host,
      port: env.submissionPort,
      tls: { ca: env.caPem, servername: "localhost" },
      auth: { user: env.user, pass: env.pass },
      pool: true,
    });
    const missing = `no-such-user-${unique()}@${env.domain}`;
    const info = await client.send({
      from: env.user,
      to: [env.user, missing],
      subject: "partial",
      text: "x",
    });
    expect(info.accepted).toEqual([env.user]);
    expect(info.rejected).toMatchObject([{ address: missing, code: 550, enhancedCode: "5.1.1" }]);
    const error = await client
      .send({ from: env.user, to: missing, subject: "none", text: "x" })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SmtpError);
    expect((error as SmtpError).kind).toBe("rejected");
    // The pooled connection is still good after the failed transaction (RSET).
    const again = await client.send({ from: env.user, to: env.user, subject: "after", text: "x" });
    expect(again.accepted).toEqual([env.user]);
    await client.close();
  });

  it("refuses a message over the SIZE limit before sending its data", async () => {
    const client = createClient({
      host: env.host,
      port: env.submissionPort,
      tls: { ca: env.caPem, servername: "localhost" },
      auth: { user: env.user, pass: env.pass },
    });
    const error = await client
      .send({
        from: env.user,
        to: env.user,
        subject: "big",
        text: "y".repeat(env.sizeLimit + 1000),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SmtpError);
    expect((error as SmtpError).kind).toBe("size");
    expect((error as SmtpError).retryable).toBe(false);
  });

  it("a wrong password is kind auth and never shows the password", async () => {
    const client = createClient({
      host: env.host,
      port: env.submissionPort,
      tls: { ca: env.caPem, servername: "localhost" },
      auth: { user: env.user, pass: "not-the-password-42", method: "PLAIN" },
    });
    const error = (await client.send({ from: env.user, to: env.user, text: "x" }).then(
      () => undefined,
      (e: unknown) => e,
    )) as SmtpError;
    expect(error.kind).toBe("auth");
    expect(JSON.stringify(error) + error.message + error.stack).not.toContain(
      "not-the-password-42",
    );
  });

  it("DKIM: both signatures (RSA relaxed, Ed25519 simple) verify on the copy Postfix delivered, with its own fields on top and LF line ends", async () => {
    const rsa = testKey("rsa");
    const ed = testKey("ed25519");
    const client = createClient({
      host: env.host,
      port: env.submissionPort,
      starttls: "required",
      tls: { ca: env.caPem, servername: "localhost" },
      auth: { user: env.user, pass: env.pass },
      dkim: [
        { domainName: env.domain, keySelector: "rsa", privateKey: rsa.pkcs8 },
        {
          domainName: env.domain,
          keySelector: "ed",
          privateKey: ed.pkcs8,
          canonicalization: "simple/simple",
        },
      ],
    });
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const info = await client.send({
      from: env.user,
      to: env.user,
      subject: `Signed über Postfix ${id}`,
      text: `Hello ${id}\n.\nwith a lone dot line\n`,
      attachments: [
        { filename: "data.bin", content: new Uint8Array(50_000).map((_, i) => i * 13) },
      ],
    });
    await client.close();
    const found = await waitForMaildirMessage(maildirOf(env, env.user), (_raw, text) =>
      text.includes(info.messageId),
    );
    // Maildir keeps LF line ends; on the wire (and to a verifier) they are CRLF.
    const text = Buffer.from(found.raw).toString("latin1").replace(/\r?\n/g, "\r\n");
    expect(text.indexOf("DKIM-Signature:")).toBeGreaterThan(0); // Postfix's fields come first
    const verdicts = await verifyDkim(Buffer.from(text, "latin1"), {
      [`rsa._domainkey.${env.domain}`]: rsa.record,
      [`ed._domainkey.${env.domain}`]: ed.record,
    });
    const pass = (verifier: string) => [
      `${verifier} rsa-sha256 d=${env.domain} s=rsa: pass`,
      `${verifier} ed25519-sha256 d=${env.domain} s=ed: pass`,
    ];
    expect(describeVerdicts(verdicts)).toEqual([
      ...pass("mailauth"),
      ...(verdicts.dkimpy ? pass("dkimpy") : []),
    ]);
  });
});
