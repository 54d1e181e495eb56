import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@smtp/client";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectSmtpError, parse } from "./helpers.ts";

// The message fields a nodemailer user reaches for first, end to end against smtp-server:
// file paths, encoded string content, raw messages, calendar invitations, alternatives and
// List-* headers.

const FROM = "sender@example.test";
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("message fields against smtp-server", () => {
  let peer: SmtpServerPeer;
  let strict: SmtpServerPeer;
  let dir: string;
  const files: Record<string, Uint8Array> = {};
  beforeAll(async () => {
    [peer, strict] = await Promise.all([
      startSmtpServerPeer({ tls: "none" }),
      startSmtpServerPeer({
        tls: "none",
        serverOptions: { hide8BITMIME: true, hideSMTPUTF8: true },
      }),
    ]);
    dir = mkdtempSync(join(tmpdir(), "smtp-paths-"));
    const write = (name: string, bytes: Uint8Array) => {
      writeFileSync(join(dir, name), bytes);
      files[name] = bytes;
    };
    write(
      "report.pdf",
      Uint8Array.from({ length: 150_000 }, (_, i) => (i * 7 + (i >> 9)) & 0xff),
    );
    write("empty.bin", new Uint8Array(0));
    write(
      "invite.ics",
      new TextEncoder().encode("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"),
    );
    write(
      "amp.html",
      new TextEncoder().encode("<!doctype html><html ⚡4email><body>amp</body></html>"),
    );
    mkdirSync(join(dir, "a-directory"));
  });
  afterAll(async () => {
    await Promise.all([peer?.close(), strict?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (p = peer) => createClient({ host: p.host, port: p.port });

  it("attachments[].path streams the file; the file's size feeds SIZE", async () => {
    const c = client();
    const before = peer.received.length;
    const info = await c.send({
      from: FROM,
      to: "rcpt@example.test",
      subject: "files",
      text: "see attached",
      attachments: [
        { path: join(dir, "report.pdf") },
        { path: join(dir, "empty.bin"), filename: "nothing.bin" },
      ],
      alternatives: [{ contentType: "text/x-amp-html", path: join(dir, "amp.html") }],
      icalEvent: { path: join(dir, "invite.ics"), method: "REQUEST" },
    });
    await c.close();
    const received = peer.received[before]!;
    expect(Number(received.mailParams.SIZE)).toBe(received.raw.length);
    const parsed = await parse(received.raw);
    const byName = new Map(parsed.attachments.map((a) => [a.filename ?? a.contentType, a]));
    expect(sha256(byName.get("report.pdf")!.content)).toBe(sha256(files["report.pdf"]!));
    expect(byName.get("report.pdf")!.contentType).toBe("application/pdf");
    expect(byName.get("nothing.bin")!.content.length).toBe(0);
    expect(byName.get("invite.ics")!.content.toString()).toContain("METHOD:REQUEST");
    expect(byName.get("text/x-amp-html")!.content.toString()).toContain("⚡4email");
    expect(info.accepted).toEqual(["rcpt@example.test"]);
  });

  it("the file's size feeds the SIZE pre-check: at and under the server's limit it goes, over it fails before any data", async () => {
    const message = {
      from: FROM,
      to: "rcpt@example.test",
      subject: "size",
      attachments: [{ path: join(dir, "report.pdf") }],
    };
    const probe = client();
    const before = peer.received.length;
    await probe.send(message);
    await probe.close();
    const size = Number(peer.received[before]!.mailParams.SIZE);
    expect(size).toBe(peer.received[before]!.raw.length);
    for (const [limit, ok] of [
      [size + 1, true],
      [size, true],
      [size - 1, false],
    ] as const) {
      const limited = await startSmtpServerPeer({ tls: "none", size: limit });
      const c = client(limited);
      try {
        if (ok) expect((await c.send(message)).accepted).toEqual(["rcpt@example.test"]);
        else {
          const error = await expectSmtpError(c.send(message));
          expect(error.kind).toBe("size");
          expect(limited.received).toEqual([]);
        }
      } finally {
        await c.close();
        await limited.close();
      }
    }
  });

  it("a missing file, a directory and an unreadable path are invalid-input before any connection", async () => {
    const c = client();
    const before = peer.connectionCount();
    for (const [path, reason] of [
      [join(dir, "missing.pdf"), "ENOENT"],
      [join(dir, "a-directory"), /EISDIR|ENOTFILE/],
      ["https://example.test/file.pdf", "URLs are not fetched"],
    ] as const) {
      const error = await expectSmtpError(
        c.send({ from: FROM, to: "rcpt@example.test", attachments: [{ content: "x" }, { path }] }),
      );
      expect(error.kind).toBe("invalid-input");
      expect(error.message).toMatch(/^attachments\[1\]\.path: /);
      expect(error.message).toMatch(reason);
    }
    const ical = await expectSmtpError(
      c.send({ from: FROM, to: "rcpt@example.test", icalEvent: { path: join(dir, "nope.ics") } }),
    );
    expect(ical.message).toMatch(/^icalEvent\.path: cannot read the file/);
    expect(peer.connectionCount()).toBe(before);
    await c.close();
  });

  it("string content with encoding base64, hex or binary arrives as the bytes it encodes", async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const c = client();
    const before = peer.received.length;
    await c.send({
      from: FROM,
      to: "rcpt@example.test",
      attachments: [
        { filename: "b64.bin", content: Buffer.from(bytes).toString("base64"), encoding: "base64" },
        { filename: "hex.bin", content: Buffer.from(bytes).toString("hex"), encoding: "hex" },
        { filename: "bin.bin", content: Buffer.from(bytes).toString("latin1"), encoding: "binary" },
      ],
    });
    await c.close();
    const parsed = await parse(peer.received[before]!.raw);
    expect(parsed.attachments.map((a) => sha256(a.content))).toEqual(Array(3).fill(sha256(bytes)));
    const bad = await expectSmtpError(
      client().send({
        from: FROM,
        to: "rcpt@example.test",
        attachments: [{ content: "**", encoding: "base64" }],
      }),
    );
    expect(bad.kind).toBe("invalid-input");
    expect(bad.message).toMatch(/attachments\[0\]\.content: not base64/);
  });

  const RAW =
    "From: Raw <raw@example.test>\nTo: a@example.test\nCc: b@catchall.test\nBcc: c@example.test\n" +
    "Subject: raw\nMessage-ID: <raw-id@example.test>\n\nline one\n.leading dot\nlast";

  it("raw: sent as it is (CRLF), envelope from its headers, messageId from its Message-ID", async () => {
    const c = client();
    const before = peer.received.length;
    const info = await c.send({ raw: RAW });
    await c.close();
    expect(info.envelope).toEqual({
      from: "raw@example.test",
      to: ["a@example.test", "b@catchall.test", "c@example.test"],
    });
    expect(info.messageId).toBe("<raw-id@example.test>");
    const received = peer.received[before]!;
    expect(new TextDecoder().decode(received.raw)).toBe(`${RAW.replace(/\n/g, "\r\n")}\r\n`);
    expect(received.mailParams.BODY).toBeUndefined();
  });

  it("raw stream: read ahead for its headers, then streamed; envelope overrides", async () => {
    const chunks = new TextEncoder().encode(RAW.replace("line one", "Grüße"));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks.length; i += 10) controller.enqueue(chunks.slice(i, i + 10));
        controller.close();
      },
    });
    const c = client();
    const before = peer.received.length;
    const info = await c.send({ raw: stream, envelope: { to: "only@example.test" } });
    await c.close();
    expect(info.envelope).toEqual({ from: "raw@example.test", to: ["only@example.test"] });
    const received = peer.received[before]!;
    // A stream's body is not known ahead: it goes as 8BITMIME.
    expect(received.mailParams.BODY).toBe("8BITMIME");
    expect(new TextDecoder().decode(received.raw)).toContain("\r\nGrüße\r\n.leading dot\r\n");
  });

  it("raw with 8-bit content: BODY=8BITMIME or SMTPUTF8 when offered, the typed error otherwise", async () => {
    const body8 = `${RAW}\nGrüße`;
    const head8 = `Subject: Grüße\n${RAW}`;
    const c = client();
    const before = peer.received.length;
    await c.send({ raw: body8 });
    await c.send({ raw: head8 });
    await c.close();
    expect(peer.received[before]!.mailParams).toMatchObject({ BODY: "8BITMIME" });
    expect(peer.received[before + 1]!.mailParams).toMatchObject({
      BODY: "8BITMIME",
      SMTPUTF8: true,
    });
    const s = client(strict);
    const e1 = await expectSmtpError(s.send({ raw: body8 }));
    expect([e1.kind, e1.detail]).toEqual(["rejected", "8bitmime-unsupported"]);
    const e2 = await expectSmtpError(s.send({ raw: head8 }));
    expect([e2.kind, e2.detail]).toEqual(["rejected", "smtputf8-unsupported"]);
    await s.send({ raw: RAW });
    await s.close();
    expect(strict.received.length).toBe(1);
  });

  it("raw with other content fields, or without any envelope, is invalid-input", async () => {
    const c = client();
    const e1 = await expectSmtpError(c.send({ raw: RAW, subject: "x" }));
    expect(e1.message).toMatch(/^subject: cannot be combined with raw/);
    const e2 = await expectSmtpError(c.send({ raw: "Subject: x\n\nbody" }));
    expect(e2.message).toMatch(/raw: has no From or Sender header/);
    const e3 = await expectSmtpError(c.send({ raw: "From: a@example.test\n\nbody" }));
    expect(e3.message).toMatch(/no recipient/);
    await c.close();
  });

  it("icalEvent, alternatives and list arrive in the shapes readers expect", async () => {
    const c = client();
    const before = peer.received.length;
    await c.send({
      from: FROM,
      to: "rcpt@example.test",
      subject: "Invitation",
      text: "invited",
      html: "<p>invited</p>",
      icalEvent: { content: "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n" },
      list: { unsubscribe: "https://example.test/u?x=1", oneClick: true, id: "news.example.test" },
      textEncoding: "base64",
    });
    await c.close();
    const raw = new TextDecoder().decode(peer.received[before]!.raw);
    expect(raw).toContain("Content-Type: text/calendar; charset=utf-8; method=REQUEST");
    expect(raw).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    const parsed = await parse(peer.received[before]!.raw);
    expect(parsed.text).toBe("invited");
    expect(parsed.html).toBe("<p>invited</p>");
    expect(parsed.attachments.map((a) => a.contentType).sort()).toEqual([
      "application/ics",
      "text/calendar",
    ]);
  });
});
