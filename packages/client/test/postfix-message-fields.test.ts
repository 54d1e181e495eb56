import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@smtp/client";
import {
  hasPostfix,
  maildirOf,
  type PostfixEnv,
  postfixEnv,
  waitForMaildirMessage,
} from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSmtpError, parse } from "./helpers.ts";

// The new message fields and REQUIRETLS against the Postfix peer of `.ci/run` (skipped,
// like postfix.test.ts, when it is not set up).

describe.skipIf(!hasPostfix())("message fields against Postfix", () => {
  let env: PostfixEnv;
  let dir: string;
  beforeAll(async () => {
    env = (await postfixEnv())!;
    dir = mkdtempSync(join(tmpdir(), "smtp-postfix-paths-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const submission = () =>
    createClient({
      url: `smtp://${encodeURIComponent(env.user)}:${encodeURIComponent(env.pass)}@${env.host}:${env.submissionPort}?starttls=required&tls.servername=localhost`,
      tls: { ca: env.caPem },
    });
  const delivered = async (needle: string) =>
    (await waitForMaildirMessage(maildirOf(env, env.user), (_raw, text) => text.includes(needle)))
      .raw;

  it("a 2 MiB attachment from a path, sent through a connection URL, arrives intact", async () => {
    const data = new Uint8Array(randomBytes(2 * 1024 * 1024));
    const path = join(dir, "big.bin");
    writeFileSync(path, data);
    const id = unique();
    const client = submission();
    const info = await client.send({
      from: env.user,
      to: env.user,
      subject: `path ${id}`,
      text: id,
      attachments: [{ path }],
      icalEvent: { content: `BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nUID:${id}\r\nEND:VCALENDAR\r\n` },
      list: { unsubscribe: `https://example.test/u/${id}`, oneClick: true },
    });
    await client.close();
    const raw = await delivered(info.messageId);
    const parsed = await parse(raw);
    const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
    const file = parsed.attachments.find((a) => a.filename === "big.bin");
    expect(sha256(file?.content ?? new Uint8Array())).toBe(sha256(data));
    expect(parsed.attachments.some((a) => a.contentType === "text/calendar")).toBe(true);
    expect(new TextDecoder().decode(raw)).toContain(
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n",
    );
  });

  it("a raw message goes as it is, its envelope from its headers", async () => {
    const id = unique();
    const raw = `From: ${env.user}\nTo: ${env.user}\nSubject: raw ${id}\nMessage-ID: <${id}@example.test>\n\nraw body ${id}\n`;
    const client = submission();
    const info = await client.send({ raw });
    await client.close();
    expect(info.envelope).toEqual({ from: env.user, to: [env.user] });
    const text = new TextDecoder().decode(await delivered(`<${id}@example.test>`));
    expect(text).toContain(`Subject: raw ${id}\n`);
    expect(text).toContain(`\n\nraw body ${id}\n`);
  });

  it("requireTls: Postfix does not offer REQUIRETLS, so the message is refused, not sent", async () => {
    const lines: string[] = [];
    const client = createClient({
      host: env.host,
      port: env.smtpsPort,
      secure: true,
      tls: { ca: env.caPem, servername: "localhost" },
      auth: { user: env.user, pass: env.pass },
      transcript: (e) => lines.push(`${e.direction} ${e.text}`),
    });
    const capabilities = await client.verify();
    const error = await expectSmtpError(
      client.send(
        { from: env.user, to: env.user, subject: "tls only", text: "x" },
        { requireTls: true },
      ),
    );
    await client.close();
    expect(capabilities.requireTls).toBe(false);
    expect([error.kind, error.detail]).toEqual(["tls-required", "requiretls-unsupported"]);
    expect(lines.some((l) => l.startsWith("C MAIL"))).toBe(false);
  });
});
