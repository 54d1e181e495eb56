import { describe, expect, it } from "vitest";
import { Connection } from "./connection.ts";
import { SmtpError } from "./errors.ts";
import type { TranscriptEntry } from "./session-types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function replies(c: Connection<string>, text: string): [number, string | undefined][] {
  c.receive(enc.encode(text));
  const out: [number, string | undefined][] = [];
  for (let m = c.nextReply(); m !== null; m = c.nextReply())
    out.push([m.reply.code, m.awaited?.context]);
  return out;
}

function protocolError(fn: () => unknown): SmtpError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SmtpError && error.kind === "protocol") return error;
    throw error;
  }
  throw new Error("expected a protocol error");
}

describe("Connection (wire layer)", () => {
  it("writes a pipelined batch in one chunk and matches the replies in FIFO order", () => {
    const c = new Connection<string>();
    c.send({ name: "MAIL", from: "a@example.org" }, "command", "mail");
    c.send({ name: "RCPT", to: "b@example.net" }, "command", "rcpt");
    c.send({ name: "DATA" }, "data-start", "data");
    expect(dec.decode(c.pollTransmit()!)).toBe(
      "MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n",
    );
    expect(c.pollTransmit()).toBeNull();
    expect(c.awaiting).toBe(3);
    expect(c.head).toMatchObject({ label: "MAIL FROM", phase: "command" });
    expect(replies(c, "250 ok\r\n550 no\r\n354 go\r\n")).toEqual([
      [250, "mail"],
      [550, "rcpt"],
      [354, "data"],
    ]);
    expect(c.awaiting).toBe(0);
  });

  it("R9 one reply too many is a protocol error", () => {
    const c = new Connection<string>();
    c.send({ name: "NOOP" }, "command", "noop");
    c.receive(enc.encode("250 ok\r\n250 extra\r\n"));
    expect(c.nextReply()?.awaited?.context).toBe("noop");
    expect(protocolError(() => c.nextReply()).detail).toBe("unexpected-reply");
  });

  it("R9 a 3xx to a command that takes none, a 2xx to DATA: protocol errors", () => {
    const mail = new Connection<string>();
    mail.send({ name: "MAIL", from: "" }, "command", "mail");
    mail.receive(enc.encode("354 go\r\n"));
    expect(protocolError(() => mail.nextReply())).toMatchObject({
      command: "MAIL FROM",
      code: 354,
    });

    const data = new Connection<string>();
    data.send({ name: "DATA" }, "data-start", "data");
    data.receive(enc.encode("234 go ahead\r\n"));
    expect(protocolError(() => data.nextReply())).toMatchObject({ command: "DATA", code: 234 });

    const greeting = new Connection<string>();
    greeting.expect({ label: undefined, phase: "greeting", context: "greeting" });
    greeting.receive(enc.encode("334 x\r\n"));
    expect(protocolError(() => greeting.nextReply()).message).toContain("greeting");

    const auth = new Connection<string>();
    auth.send({ name: "AUTH", mechanism: "LOGIN" }, "command", "auth");
    expect(replies(auth, "334 VXNlcm5hbWU6\r\n")).toEqual([[334, "auth"]]);
  });

  it("an unsolicited 421 is handed back, since a server may send it at any time", () => {
    const c = new Connection<string>();
    expect(replies(c, "421 going away\r\n")).toEqual([[421, undefined]]);
  });

  it("R7 tells whether anything follows the last reply", () => {
    const c = new Connection<string>();
    c.send({ name: "STARTTLS" }, "command", "starttls");
    c.receive(enc.encode("220 go\r\n250"));
    expect(c.nextReply()?.reply.code).toBe(220);
    expect(c.unread).toBe(true);
    expect(c.buffered).toBe(3);
    const clean = new Connection<string>();
    clean.send({ name: "STARTTLS" }, "command", "starttls");
    expect(replies(clean, "220 go\r\n")).toEqual([[220, "starttls"]]);
    expect(clean.unread).toBe(false);
  });

  it("R2 a refused argument queues nothing", () => {
    const c = new Connection<string>();
    expect(() => c.send({ name: "RCPT", to: "b@example.net>\r\nDATA" }, "command", "x")).toThrow(
      SmtpError,
    );
    expect(c.pollTransmit()).toBeNull();
    expect(c.awaiting).toBe(0);
  });

  it("R10 records redacted commands and raw server lines", () => {
    const log: TranscriptEntry[] = [];
    const c = new Connection<string>({ transcript: (e) => log.push(e) });
    c.send(
      { name: "AUTH", mechanism: "PLAIN", initialResponse: "AHUAc2VjcmV0" },
      "command",
      "auth",
    );
    c.send({ name: "AUTH-RESPONSE", response: "c2VjcmV0" }, "command", "more");
    replies(c, "235-2.7.0 ok\r\n235 2.7.0 done\r\n");
    expect(log).toEqual([
      { direction: "C", text: "AUTH PLAIN <redacted>" },
      { direction: "C", text: "<redacted>" },
      { direction: "S", text: "235-2.7.0 ok" },
      { direction: "S", text: "235 2.7.0 done" },
    ]);
  });

  it("expectFirst puts replies ahead of those already awaited (LMTP)", () => {
    const c = new Connection<string>();
    c.expect({ label: "DATA", phase: "data-end", context: "r1" });
    c.send({ name: "QUIT" }, "quit", "quit");
    c.receive(enc.encode("250 r1\r\n"));
    expect(c.nextReply()?.awaited?.context).toBe("r1");
    c.expectFirst([{ label: "DATA", phase: "data-end", context: "r2" }]);
    expect(replies(c, "250 r2\r\n221 bye\r\n")).toEqual([
      [250, "r2"],
      [221, "quit"],
    ]);
  });

  it("write, discardOutput, forgetAwaited and clear", () => {
    const c = new Connection<string>();
    c.write(new Uint8Array(0));
    expect(c.pollTransmit()).toBeNull();
    c.write(enc.encode("body"));
    c.send({ name: "NOOP" }, "command", "noop");
    c.discardOutput();
    expect(c.pollTransmit()).toBeNull();
    c.forgetAwaited();
    expect(c.awaiting).toBe(0);
    c.send({ name: "NOOP" }, "command", "noop");
    c.receive(enc.encode("25"));
    c.clear();
    expect(c.awaiting).toBe(0);
    expect(c.unread).toBe(false);
  });
});
