import { AUTH_METHODS, type AuthMethod } from "@smtp/core";
import type { Connector } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import { createClient } from "../src/index.ts";
import {
  ATTACHMENT_KEYS,
  AUTH_KEYS,
  CLIENT_OPTION_KEYS,
  DSN_KEYS,
  ENVELOPE_KEYS,
  type KeyTable,
  KNOWN,
  MESSAGE_KEYS,
  POOL_KEYS,
  RATE_LIMIT_KEYS,
  SEND_OPTION_KEYS,
  TIMEOUT_KEYS,
  TLS_KEYS,
} from "../src/known-keys.ts";
import { expectInvalidInput, expectSmtpError } from "./helpers.ts";

/** A connector that counts its calls and never connects: nothing may reach it. */
function countingConnector(): { connector: Connector; calls: () => number } {
  let calls = 0;
  return {
    connector: async () => {
      calls++;
      throw new Error("must not connect");
    },
    calls: () => calls,
  };
}

const base = { host: "smtp.example.com" };
const message = { from: "a@example.com", to: "b@example.org", text: "hi" };

describe("unknown option keys are refused by createClient, naming the key and its path", () => {
  it.each([
    [{ ...base, sercure: true }, 'unknown option "sercure": did you mean "secure"?'],
    [{ ...base, requireTLS: true }, 'use `starttls: "required"`'],
    [{ ...base, ignoreTLS: true }, 'use `starttls: "never"`'],
    [{ ...base, connectionTimeout: 5 }, "use `timeouts.connect`"],
    [{ ...base, greetingTimeout: 5 }, "use `timeouts.greeting`"],
    [{ ...base, socketTimeout: 5 }, "use `timeouts.command`"],
    [{ ...base, authMethod: "PLAIN" }, "use `auth.method`"],
    [{ ...base, maxConnections: 3 }, "use `pool: { maxConnections }`"],
    [
      { ...base, timeouts: { socket: 5 } },
      'unknown option "timeouts.socket": use `timeouts.command`',
    ],
    [
      { ...base, pool: { maxConnection: 2 } },
      'unknown option "pool.maxConnection": did you mean "pool.maxConnections"?',
    ],
    [
      { ...base, pool: { rateLimit: { messages: 1, intreval: 5 } } },
      'did you mean "pool.rateLimit.interval"?',
    ],
    [{ ...base, disableFileAccess: true }, 'option "disableFileAccess" is not supported yet'],
    [{ ...base, tls: { ciphers: "HIGH" } }, 'option "tls.ciphers" is not supported yet'],
    [{ ...base, tls: { rejectUnauthorised: false } }, 'did you mean "tls.rejectUnauthorized"?'],
    [{ ...base, auth: { user: "u", pass: "p", clientId: "c" } }, '"auth.clientId"'],
    [{ ...base, auth: { user: "u", password: "p" } }, "use `auth.pass` instead"],
    [{ ...base, frobnicate: 1 }, "(known: host, port, secure, starttls, tls, auth"],
  ])("%j", (options, text) => {
    const { connector, calls } = countingConnector();
    const error = expectInvalidInput(() =>
      createClient({ ...(options as object), transport: connector } as never),
    );
    expect(error.message).toContain(text);
    expect(error.detail).toBe("unknown-key");
    expect(error.retryable).toBe(false);
    expect(calls()).toBe(0);
  });

  it("lets a key whose value is undefined through: it sets nothing", () => {
    expect(() => createClient({ ...base, disableFileAccess: undefined } as never)).not.toThrow();
  });

  it("accepts every option we document at once", () => {
    expect(() =>
      createClient({
        host: "smtp.example.com",
        port: 587,
        secure: false,
        starttls: "required",
        tls: { rejectUnauthorized: true, servername: "smtp.example.com", minVersion: "TLSv1.2" },
        auth: { user: "u", pass: "p", method: "PLAIN" },
        allowInsecureAuth: false,
        name: "client.example.com",
        timeouts: { connect: 1, greeting: 1, command: 1, data: 1 },
        pool: {
          maxConnections: 1,
          maxMessages: 1,
          idleTimeout: 1,
          noopAfterIdle: 1,
          rateLimit: { messages: 1, interval: 1 },
        },
        lmtp: false,
        transcript: () => {},
        debug: false,
        proxy: "socks5://proxy-user:proxy-pass@127.0.0.1:1080",
      }),
    ).not.toThrow();
  });
});

describe("unknown message and send-option keys are refused before any connection", () => {
  it.each([
    [{ ...message, subjet: "x" }, 'unknown message field "subjet": did you mean "subject"?'],
    [{ ...message, replyto: "c@example.org" }, 'did you mean "replyTo"?'],
    [
      { ...message, attachments: [{ content: "x" }, { path: "/no/such/file.pdf" }] },
      'attachments[1].path: cannot read the file "/no/such/file.pdf" (ENOENT)',
    ],
    [
      { ...message, attachments: [{ content: "x", pth: "a.pdf" }] },
      'unknown message field "attachments[0].pth": did you mean "attachments[0].path"?',
    ],
    [
      { ...message, attachments: [{ content: "x", contentDisposition: "inline" }] },
      'unknown message field "attachments[0].contentDisposition": use `disposition`',
    ],
    [{ ...message, envelope: { from: "a@example.com", cc: "c@example.org" } }, '"envelope.cc"'],
    [{ ...message, dsn: { notify: "NEVER" } }, "client.send(message, { dsn })"],
    [{ ...message, raw: "From: a\r\n\r\nx" }, "from: cannot be combined with raw"],
    [{ ...message, icalEvent: "BEGIN:VCALENDAR" }, "icalEvent: must be an object"],
    [
      { ...message, icalEvent: { content: "x", href: "https://x" } },
      '"icalEvent.href" is not supported',
    ],
    [{ ...message, alternatives: [{ content: "x" }] }, "alternatives[0].contentType: is required"],
    [
      { ...message, list: { unsubscrib: "https://x.example" } },
      'unknown message field "list.unsubscrib"',
    ],
    [{ ...message, list: { unsubscribe: "x" } }, "list.unsubscribe: must be an https:"],
    [{ ...message, textEncoding: "B" }, 'textEncoding: must be "quoted-printable" or "base64"'],
    [
      { ...message, amp: "<p>amp</p>" },
      '`alternatives: [{ contentType: "text/x-amp-html", content }]`',
    ],
  ])("%j", async (input, text) => {
    const { connector, calls } = countingConnector();
    const client = createClient({ ...base, transport: connector });
    const error = await expectSmtpError(client.send(input as never));
    expect(error.kind).toBe("invalid-input");
    expect(error.message).toContain(text);
    expect(calls()).toBe(0);
    await client.close();
  });

  it.each([
    [{ requireTLS: true }, 'unknown send option "requireTLS"'],
    [{ dsn: { return: "HDRS" } }, 'unknown send option "dsn.return": use `dsn.ret`'],
    [{ dkim: {} }, "dkim.domainName: must be a string"],
    [{ requireTls: "yes" }, "requireTls must be a boolean"],
  ])("send options %j", async (options, text) => {
    const { connector, calls } = countingConnector();
    const client = createClient({ ...base, transport: connector });
    const error = await expectSmtpError(client.send(message, options as never));
    expect(error.kind).toBe("invalid-input");
    expect(error.message).toContain(text);
    expect(calls()).toBe(0);
    await client.close();
  });

  it("verify options too", async () => {
    const { connector, calls } = countingConnector();
    const client = createClient({ ...base, transport: connector });
    const error = await expectSmtpError(client.verify({ timeout: 5 } as never));
    expect(error.message).toContain('unknown verify option "timeout"');
    expect(calls()).toBe(0);
  });
});

describe("every foreign key in the tables is refused with its hint", () => {
  const tables: [string, KeyTable, (key: string) => unknown][] = [
    ["option", CLIENT_OPTION_KEYS, (k) => ({ ...base, [k]: 1 })],
    ["option", TLS_KEYS, (k) => ({ ...base, tls: { [k]: 1 } })],
    ["option", AUTH_KEYS, (k) => ({ ...base, auth: { user: "u", pass: "p", [k]: 1 } })],
    ["option", TIMEOUT_KEYS, (k) => ({ ...base, timeouts: { [k]: 1 } })],
    ["option", POOL_KEYS, (k) => ({ ...base, pool: { [k]: 1 } })],
    ["option", RATE_LIMIT_KEYS, (k) => ({ ...base, pool: { rateLimit: { [k]: 1 } } })],
  ];
  for (const [, table, build] of tables) {
    for (const [key, rule] of Object.entries(table)) {
      if (rule === KNOWN || "table" in rule) continue;
      it(`option ${key}`, () => {
        const error = expectInvalidInput(() => createClient(build(key) as never));
        expect(error.message).toContain(key);
        expect(error.message).toMatch(/: use .+ instead$|not supported( yet)?: ./);
      });
    }
  }

  const messageTables: [KeyTable, (key: string) => unknown][] = [
    [MESSAGE_KEYS, (k) => ({ ...message, [k]: 1 })],
    [ATTACHMENT_KEYS, (k) => ({ ...message, attachments: [{ content: "x", [k]: 1 }] })],
    [ENVELOPE_KEYS, (k) => ({ ...message, envelope: { [k]: 1 } })],
  ];
  for (const [table, build] of messageTables) {
    for (const [key, rule] of Object.entries(table)) {
      if (rule === KNOWN || "table" in rule) continue;
      it(`message field ${key}`, async () => {
        const client = createClient(base);
        const error = await expectSmtpError(client.send(build(key) as never));
        expect(error.kind).toBe("invalid-input");
        expect(error.message).toContain(key);
      });
    }
  }

  for (const table of [SEND_OPTION_KEYS, DSN_KEYS]) {
    for (const [key, rule] of Object.entries(table)) {
      if (rule === KNOWN || "table" in rule) continue;
      it(`send option ${key}`, async () => {
        const client = createClient(base);
        const options = table === DSN_KEYS ? { dsn: { [key]: 1 } } : { [key]: 1 };
        const error = await expectSmtpError(client.send(message, options as never));
        expect(error.message).toContain(key);
      });
    }
  }
});

describe("auth.method: the type and the accepted values are one list", () => {
  const tokenMethods: AuthMethod[] = ["XOAUTH2", "OAUTHBEARER"];
  it.each(AUTH_METHODS.map((m) => [m]))("%s is accepted with matching credentials", (method) => {
    const auth = tokenMethods.includes(method)
      ? { user: "u", accessToken: "t", method }
      : { user: "u", pass: "p", method };
    expect(() => createClient({ ...base, auth })).not.toThrow();
  });

  it("OAUTHBEARER, in the type, is accepted at run time", () => {
    expect(() =>
      createClient({ ...base, auth: { user: "u", accessToken: "t", method: "OAUTHBEARER" } }),
    ).not.toThrow();
  });

  it("a method that does not fit the credentials is refused up front", () => {
    expect(
      expectInvalidInput(() =>
        createClient({ ...base, auth: { user: "u", pass: "p", method: "XOAUTH2" } }),
      ).message,
    ).toContain("takes an OAuth 2 access token");
    expect(
      expectInvalidInput(() =>
        createClient({ ...base, auth: { user: "u", accessToken: "t", method: "PLAIN" } }),
      ).message,
    ).toContain("takes a password");
  });

  it("an unknown method lists the accepted ones", () => {
    const error = expectInvalidInput(() =>
      createClient({ ...base, auth: { user: "u", pass: "p", method: "NTLM" as AuthMethod } }),
    );
    expect(error.message).toContain(AUTH_METHODS.join(", "));
  });
});
