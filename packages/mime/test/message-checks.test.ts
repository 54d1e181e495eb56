import { describe, expect, it } from "vitest";
import {
  type BuildOptions,
  createMessage,
  type MessageInput,
  MimeError,
  toBytes,
} from "../src/index.ts";
import { fixedOptions, refusal } from "./support.ts";

const base: MessageInput = { from: "a@example.test", to: "b@example.test" };
const decode = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

const refused = (input: unknown, options: unknown = fixedOptions()) =>
  refusal(() => createMessage(input as MessageInput, options as BuildOptions));

/** The message's own header section, up to and including its last CRLF. */
async function head(input: MessageInput, options = fixedOptions()): Promise<string> {
  const text = decode(await toBytes(createMessage(input, options)));
  return text.slice(0, text.indexOf("\r\n\r\n") + 2);
}

describe("options and input are checked first, with exact messages", () => {
  it.each([
    ["null", null],
    ["a string", "now"],
  ])("options that are %s", (_label, options) => {
    expect(refused(base, options)).toBe("options: must be an object");
  });

  it("options.now must be a valid Date", () => {
    expect(refused(base, fixedOptions({ now: new Date(Number.NaN) }))).toBe(
      "options.now: must be a valid Date",
    );
    expect(refused(base, { ...fixedOptions(), now: 0 })).toBe("options.now: must be a valid Date");
  });

  it("options.randomBytes must be a function returning enough octets", () => {
    expect(refused(base, { ...fixedOptions(), randomBytes: undefined })).toBe(
      "options.randomBytes: must be a function",
    );
    expect(refused(base, fixedOptions({ randomBytes: () => new Uint8Array(15) }))).toBe(
      "options.randomBytes: must return a Uint8Array of 16 octets",
    );
  });

  it("options.timeZoneOffset must be whole minutes within ±24 h", () => {
    expect(refused(base, fixedOptions({ timeZoneOffset: 24 * 60 }))).toBe(
      "options.timeZoneOffset: must be whole minutes within ±24 h",
    );
  });

  it.each([
    ["null", null],
    ["a string", "a@example.test"],
  ])("an input that is %s", (_label, input) => {
    expect(refused(input)).toBe("input: must be an object");
  });

  it("from is required, subject must be a string, date a valid Date", () => {
    expect(refused({ to: "b@example.test" })).toBe("from: is required");
    expect(refused({ ...base, subject: 42 })).toBe("subject: must be a string");
    expect(refused({ ...base, date: new Date(Number.NaN) })).toBe("date: must be a valid Date");
  });

  it("text and html must be strings, each refused under its own name", () => {
    expect(refused({ ...base, text: 42 })).toBe("text: must be a string");
    expect(refused({ ...base, html: 42 })).toBe("html: must be a string");
    expect(refused({ ...base, text: "t", html: ["h"] })).toBe("html: must be a string");
  });

  it("a refusal is a MimeError by name, kind and field", () => {
    let caught: unknown;
    try {
      createMessage({ ...base, text: 42 } as unknown as MessageInput, fixedOptions());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MimeError);
    expect((caught as MimeError).name).toBe("MimeError");
    expect((caught as MimeError).kind).toBe("invalid-input");
    expect((caught as MimeError).field).toBe("text");
    expect(String(caught)).toBe("MimeError: text: must be a string");
  });

  it("a boundary is drawn at most 16 times: found at the 16th draw it is used, else refused", async () => {
    // The message has two multiparts (mixed, alternative) and a given Message-ID, so
    // randomBytes is asked only for boundaries: the first draw is taken, then `repeats`
    // draws give the same octets again before a fresh one.
    const run = (repeats: number) => {
      let calls = 0;
      const options = fixedOptions({
        randomBytes: (n) => {
          calls++;
          return new Uint8Array(n).fill(calls <= 1 + repeats ? 0 : calls);
        },
      });
      const input: MessageInput = {
        ...base,
        messageId: "<m@example.test>",
        text: "t",
        html: "h",
        attachments: [{ content: "x" }],
      };
      return { build: () => createMessage(input, options), calls: () => calls };
    };
    const at16 = run(15);
    const text = decode(await toBytes(at16.build()));
    expect(at16.calls()).toBe(17);
    expect(text).toContain(`boundary="=_${"00".repeat(12)}"`);
    expect(text).toContain(`boundary="=_${"11".repeat(12)}"`);
    const over = run(16);
    expect(refusal(over.build)).toBe(
      "options.randomBytes: keeps returning boundaries already used or present in the content",
    );
    expect(over.calls()).toBe(17);
  });

  it("a randomBytes that keeps giving the same octets runs out of boundaries", () => {
    const options = fixedOptions({ randomBytes: (n) => new Uint8Array(n) });
    // One boundary is drawn fine; the second can only repeat it.
    expect(() =>
      createMessage({ ...base, attachments: [{ content: "x" }] }, options),
    ).not.toThrow();
    expect(
      refused({ ...base, text: "t", html: "h", attachments: [{ content: "x" }] }, options),
    ).toBe(
      "options.randomBytes: keeps returning boundaries already used or present in the content",
    );
  });
});

describe("header fields of the message", () => {
  it("no To field without to; Cc and Bcc alone are enough", async () => {
    const text = await head({ from: "a@example.test", cc: "c@example.test" });
    expect(text).toMatch(
      /^Date: [^\r\n]*\r\nFrom: a@example\.test\r\nCc: c@example\.test\r\nMessage-ID: /,
    );
    expect(text).not.toContain("To:");
    const bccOnly = await head({ from: "a@example.test", bcc: "d@example.test" });
    expect(bccOnly).toMatch(/^Date: [^\r\n]*\r\nFrom: a@example\.test\r\nMessage-ID: /);
    expect(await head(base)).toContain("\r\nTo: b@example.test\r\n");
  });

  it("X-Priority and Importance may be custom headers when priority is not set", async () => {
    const text = await head({ ...base, headers: { "X-Priority": "2", Importance: "low" } });
    expect(text).toContain("\r\nX-Priority: 2\r\nImportance: low\r\nMIME-Version: 1.0\r\n");
    expect(refused({ ...base, priority: "high", headers: { importance: "low" } })).toBe(
      "headers.importance: may not be set together with the priority field",
    );
  });

  it("an empty references list writes no References field", async () => {
    for (const references of [[], " "]) {
      expect(await head({ ...base, references })).not.toContain("References");
    }
    expect(await head({ ...base, references: ["<r@example.test>"] })).toContain(
      "References: <r@example.test>\r\n",
    );
  });

  it("extra header fields other than the list's own are allowed beside list", async () => {
    const text = await head({
      ...base,
      list: { unsubscribe: "https://example.test/u" },
      headers: { "X-Campaign": "c1" },
    });
    expect(text).toContain("List-Unsubscribe: <https://example.test/u>\r\n");
    expect(text).toContain("X-Campaign: c1\r\n");
    expect(
      refused({
        ...base,
        list: { unsubscribe: "https://example.test/u" },
        headers: { "list-unsubscribe": "<x>" },
      }),
    ).toBe("headers.list-unsubscribe: is written from the list field: set it there");
  });

  it("the first line of each address field holds within 78 characters, its name included", async () => {
    for (let extra = 40; extra < 90; extra++) {
      const name = `é${"a".repeat(extra)}`;
      const mailbox = (local: string) => ({ name, address: `${local}@example.test` });
      const text = await head({
        from: mailbox("f"),
        sender: mailbox("s"),
        replyTo: mailbox("r"),
        to: mailbox("t"),
        cc: mailbox("c"),
      });
      for (const field of ["From", "Sender", "Reply-To", "To", "Cc"]) {
        const line = text.slice(text.indexOf(`\r\n${field}: `) + 2).split("\r\n")[0]!;
        expect(line.length, `${field} with ${extra}: ${line}`).toBeLessThanOrEqual(78);
      }
    }
  });
});
