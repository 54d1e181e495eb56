import { describe, expect, it } from "vitest";
import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
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

  it("an unsolicited reply other than 421: says so, and is not retryable even when 4xx", () => {
    const c = new Connection<string>();
    const error = protocolError(() => replies(c, "450 busy\r\n"));
    expect(error).toMatchObject({
      message: "the server sent a reply no command asked for",
      detail: "unexpected-reply",
      code: 450,
      retryable: false,
      command: undefined,
    });
    const mail = new Connection<string>();
    mail.send({ name: "MAIL", from: "" }, "command", "mail");
    expect(protocolError(() => replies(mail, "354 go\r\n"))).toMatchObject({
      message: "a 354 reply cannot answer MAIL FROM",
      retryable: false,
    });
  });

  it("3xx means 300 to 399: the codes around both bounds, to MAIL and to DATA", () => {
    const answer = (command: "MAIL" | "DATA", code: number): number | SmtpError => {
      const c = new Connection<string>();
      c.send(command === "MAIL" ? { name: "MAIL", from: "" } : { name: "DATA" }, "command", "x");
      try {
        return replies(c, `${code} x\r\n`)[0]![0];
      } catch (error) {
        return error as SmtpError;
      }
    };
    // MAIL takes no 3xx.
    expect(answer("MAIL", 299)).toBe(299);
    expect(answer("MAIL", 300)).toMatchObject({ detail: "unexpected-reply", code: 300 });
    expect(answer("MAIL", 399)).toMatchObject({ detail: "unexpected-reply", code: 399 });
    expect(answer("MAIL", 400)).toBe(400);
    // DATA takes a 3xx or a refusal, never a 2xx.
    expect(answer("DATA", 299)).toMatchObject({ detail: "unexpected-reply", code: 299 });
    expect(answer("DATA", 300)).toBe(300);
    expect(answer("DATA", 399)).toBe(399);
    expect(answer("DATA", 400)).toBe(400);
  });

  it("a SASL exchange takes a 334 to each response as well as to AUTH", () => {
    const c = new Connection<string>();
    c.send({ name: "AUTH", mechanism: "LOGIN" }, "command", "auth");
    c.send({ name: "AUTH-RESPONSE", response: "dXNlcg==" }, "command", "user");
    c.send({ name: "AUTH-RESPONSE", response: "cGFzcw==" }, "command", "pass");
    expect(replies(c, "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n")).toEqual([
      [334, "auth"],
      [334, "user"],
      [235, "pass"],
    ]);
  });

  it("awaits a reply with exactly its label, phase and context (intermediate only when allowed)", () => {
    const c = new Connection<string>();
    c.send({ name: "MAIL", from: "" }, "command", "mail");
    expect(c.head).toStrictEqual({ label: "MAIL FROM", phase: "command", context: "mail" });
    expect("intermediate" in c.head!).toBe(false);
    const data = new Connection<string>();
    data.send({ name: "DATA" }, "data-start", "data");
    expect(data.head).toStrictEqual({
      label: "DATA",
      phase: "data-start",
      context: "data",
      intermediate: "required",
    });
    const auth = new Connection<string>();
    auth.send({ name: "AUTH", mechanism: "LOGIN" }, "command", "auth");
    auth.send({ name: "AUTH-RESPONSE", response: "dXNlcg==" }, "command", "user");
    expect(auth.head).toStrictEqual({
      label: "AUTH LOGIN",
      phase: "command",
      context: "auth",
      intermediate: "allowed",
    });
    auth.receive(enc.encode("334 UGFzc3dvcmQ6\r\n"));
    expect(auth.nextReply()?.awaited?.intermediate).toBe("allowed");
    expect(auth.head).toStrictEqual({
      label: "AUTH",
      phase: "command",
      context: "user",
      intermediate: "allowed",
    });
  });

  it("encodes non-ASCII command text as UTF-8 from U+0080 on (SMTPUTF8)", () => {
    const c = new Connection<string>();
    c.send(
      { name: "MAIL", from: "~\u0080\u00e9\u4e2d@example.org", params: { smtpUtf8: true } },
      "command",
      "mail",
    );
    const out = c.pollTransmit()!;
    expect([...out]).toEqual([
      ...enc.encode("MAIL FROM:<~\u0080\u00e9\u4e2d@example.org> SMTPUTF8\r\n"),
    ]);
    expect([...out.subarray(11, 14)]).toEqual([0x7e, 0xc2, 0x80]);
  });

  it("a command line as long as a large body chunk still comes out as bytes, joined", () => {
    const response = "A".repeat(BODY_COPY_LIMIT);
    const alone = new Connection<string>();
    alone.send({ name: "AUTH-RESPONSE", response }, "command", "r");
    const out = alone.pollTransmit();
    expect(out).toBeInstanceOf(Uint8Array);
    expect(dec.decode(out!)).toBe(`${response}\r\n`);
    expect(alone.pollTransmit()).toBeNull();
    const after = new Connection<string>();
    after.send({ name: "NOOP" }, "command", "noop");
    after.send({ name: "AUTH-RESPONSE", response }, "command", "r");
    const joined = after.pollTransmit();
    expect(joined).toBeInstanceOf(Uint8Array);
    expect(dec.decode(joined!)).toBe(`NOOP\r\n${response}\r\n`);
    expect(after.pollTransmit()).toBeNull();
  });

  it("a large body chunk goes alone and uncopied, before what follows it, each part once", () => {
    const large = new Uint8Array(BODY_COPY_LIMIT).fill(0x61);
    const c = new Connection<string>();
    c.write(large);
    c.send({ name: "NOOP" }, "command", "noop");
    c.write(enc.encode("tail"));
    expect(c.pollTransmit()).toBe(large);
    expect(dec.decode(c.pollTransmit()!)).toBe("NOOP\r\ntail");
    expect(c.pollTransmit()).toBeNull();
    // Just under the limit, it is joined with what follows.
    const small = new Uint8Array(BODY_COPY_LIMIT - 1).fill(0x61);
    const d = new Connection<string>();
    d.write(small);
    d.send({ name: "NOOP" }, "command", "noop");
    const joined = d.pollTransmit()!;
    expect(joined.length).toBe(BODY_COPY_LIMIT - 1 + 6);
    expect(dec.decode(joined.subarray(-6))).toBe("NOOP\r\n");
    expect(d.pollTransmit()).toBeNull();
  });

  it("a lone body chunk of any size goes out as it is, without a copy", () => {
    for (const size of [1, BODY_COPY_LIMIT - 1, BODY_COPY_LIMIT]) {
      const chunk = new Uint8Array(size).fill(0x62);
      const c = new Connection<string>();
      c.write(chunk);
      expect(c.pollTransmit()).toBe(chunk);
      expect(c.pollTransmit()).toBeNull();
    }
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
