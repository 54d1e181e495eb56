import { createClient, SERVICE_NAMES } from "@smtp/client";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConnectionUrl } from "../src/connection-url.ts";
import { resolveOptions } from "../src/resolve-options.ts";
import { serviceSettings } from "../src/services.ts";
import { expectInvalidInput } from "./helpers.ts";

describe("connection URLs", () => {
  it("smtps:// is implicit TLS; user and password are percent-decoded", () => {
    expect(
      parseConnectionUrl("smtps://me%40example.com:p%C3%A4ss%3Aw%2Frd%25@smtp.example.com"),
    ).toEqual({
      secure: true,
      host: "smtp.example.com",
      auth: { user: "me@example.com", pass: "päss:w/rd%" },
    });
    expect(parseConnectionUrl("smtp://relay.internal:25?starttls=opportunistic")).toEqual({
      host: "relay.internal",
      port: 25,
      starttls: "opportunistic",
    });
    expect(parseConnectionUrl("SMTP://[::1]:2525/")).toEqual({ host: "[::1]", port: 2525 });
    // A raw "@" in the password: the last "@" ends the user information.
    expect(parseConnectionUrl("smtp://u:p@ss@h.example")).toMatchObject({
      auth: { user: "u", pass: "p@ss" },
    });
    expect(parseConnectionUrl("smtp://u@h.example")).toMatchObject({ auth: { user: "u" } });
  });

  it("user, password and host survive any encodeURIComponent round trip", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
        fc.string({ unit: "grapheme", maxLength: 30 }),
        fc.domain(),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        (user, pass, host, port) => {
          const url = `smtps://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@${host}${port === undefined ? "" : `:${port}`}`;
          expect(parseConnectionUrl(url)).toEqual({
            secure: true,
            host,
            ...(port === undefined ? {} : { port }),
            auth: { user, pass },
          });
        },
      ),
    );
  });

  it("query keys map to options with their types", () => {
    const url =
      "smtp://h.example?secure=true&name=client.example.com&lmtp=false&allowInsecureAuth=true&debug=false" +
      "&pool=true&pool.maxConnections=3&pool.maxMessages=50&pool.idleTimeout=1000&pool.noopAfterIdle=0" +
      "&timeouts.connect=1000&timeouts.greeting=2000&timeouts.command=3000&timeouts.data=4000" +
      "&tls.servername=mx.example&tls.rejectUnauthorized=false&tls.minVersion=TLSv1.3&auth.method=LOGIN";
    expect(parseConnectionUrl(url)).toEqual({
      host: "h.example",
      secure: true,
      name: "client.example.com",
      lmtp: false,
      allowInsecureAuth: true,
      debug: false,
      pool: { maxConnections: 3, maxMessages: 50, idleTimeout: 1000, noopAfterIdle: 0 },
      timeouts: { connect: 1000, greeting: 2000, command: 3000, data: 4000 },
      tls: { servername: "mx.example", rejectUnauthorized: false, minVersion: "TLSv1.3" },
      auth: { method: "LOGIN" },
    });
    expect(parseConnectionUrl("smtp://h.example?pool=false&pool.maxConnections=3")).toMatchObject({
      pool: false,
    });
    expect(parseConnectionUrl("smtp://h.example?name=a+b%20c")).toMatchObject({ name: "a b c" });
  });

  it("refuses unknown keys, bad values, other schemes, paths and fragments, never quoting the URL", () => {
    const cases: [string, RegExp][] = [
      ["smtp://h.example?poolsize=3", /unknown query key "poolsize"/],
      ["smtp://h.example?constructor=1", /unknown query key "constructor"/],
      ["smtp://h.example?secure=yes", /secure must be true or false/],
      ["smtp://h.example?timeouts.connect=1e3", /timeouts\.connect must be a whole number/],
      ["smtp://h.example?secure=true&secure=false", /given twice/],
      ["smtp://h.example?secure", /must be key=value/],
      ["http://h.example", /must start with smtp:\/\/ or smtps:\/\//],
      ["smtp:h.example", /must start with smtp:\/\//],
      ["smtp://h.example/path", /must not have a path/],
      ["smtp://h.example#x", /must not have a fragment/],
      ["smtp://h.example:65536", /port must be 1 to 65535/],
      ["smtp://h.example:0", /port must be 1 to 65535/],
      ["smtp://h.example:123456", /host \(and port\) are not valid/],
      ["smtp://h.ex[ample", /host \(and port\) are not valid/],
      ["smtp://:secret@h.example", /user name is empty/],
      ["smtp://u:%ZZsecret@h.example", /password has a bad "%" escape/],
      ["smtp://u:%FFsecret@h.example", /password is not valid UTF-8/],
      ["smtp://u:se cret@h.example", /spaces or control characters/],
      [`smtp://${"a".repeat(4090)}.example`, /longer than 4096/],
    ];
    for (const [url, message] of cases) {
      const error = expectInvalidInput(() => parseConnectionUrl(url));
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain("secret");
    }
    expect(parseConnectionUrl("smtp://h.example:65535").port).toBe(65535);
    expect(parseConnectionUrl("smtp://h.example:1").port).toBe(1);
    // At the length limit it parses.
    expect(parseConnectionUrl(`smtp://${"a".repeat(4096 - 15)}.example`).host).toHaveLength(4089);
    expectInvalidInput(() => parseConnectionUrl(42 as never));
  });

  it("createClient(url) and { url, ...overrides }: explicit options win, objects merge", () => {
    expect(resolveOptions("smtps://u:p@smtp.example.com" as never)).toMatchObject({
      host: "smtp.example.com",
      port: 465,
      secure: true,
      auth: { user: "u", pass: "p" },
    });
    const o = resolveOptions({
      url: "smtp://u:p@smtp.example.com:2525?tls.servername=a.example&timeouts.command=5000",
      port: 587,
      tls: { minVersion: "TLSv1.3" },
      timeouts: { data: 9000 },
    });
    expect(o).toMatchObject({
      port: 587,
      servername: "a.example",
      timeouts: { command: 5000, data: 9000 },
    });
    expect(o.tls).toEqual({ servername: "a.example", minVersion: "TLSv1.3" });
    // A URL value goes through the same checks as the option itself.
    expect(
      expectInvalidInput(() => resolveOptions({ url: "smtp://h.example?starttls=sometimes" }))
        .message,
    ).toMatch(/starttls must be one of/);
    expect(
      expectInvalidInput(() => resolveOptions({ url: "smtp://h.example?pool.maxConnections=0" }))
        .message,
    ).toMatch(/pool\.maxConnections must be a positive integer/);
    expect(expectInvalidInput(() => resolveOptions({} as never)).message).toMatch(/host/);
  });
});

describe("well-known services", () => {
  it("give host, port and TLS mode; explicit options win", () => {
    expect(resolveOptions({ service: "Gmail" })).toMatchObject({
      host: "smtp.gmail.com",
      port: 465,
      secure: true,
    });
    expect(resolveOptions({ service: "Office 365" })).toMatchObject({
      host: "smtp.office365.com",
      port: 587,
      secure: false,
      starttls: "required",
    });
    expect(resolveOptions({ service: "SES_EU_WEST_1" }).host).toBe(
      "email-smtp.eu-west-1.amazonaws.com",
    );
    expect(resolveOptions({ service: "gmail", host: "smtp-relay.gmail.com" }).host).toBe(
      "smtp-relay.gmail.com",
    );
    // A port alone picks its own TLS mode.
    expect(resolveOptions({ service: "gmail", port: 587 })).toMatchObject({
      port: 587,
      secure: false,
    });
    expect(resolveOptions({ service: "gmail", port: 587, secure: true })).toMatchObject({
      secure: true,
    });
    expect(
      resolveOptions({ service: "postmark", url: "smtp://u:p@smtp.postmarkapp.com:2525" }).port,
    ).toBe(2525);
  });

  it("cover the providers users ask for first", () => {
    for (const name of [
      "gmail",
      "outlook",
      "office365",
      "icloud",
      "ses",
      "ses-us-west-2",
      "mailgun",
      "sendgrid",
      "postmark",
      "zoho",
      "fastmail",
      "yahoo",
    ]) {
      expect(SERVICE_NAMES).toContain(name);
      const s = serviceSettings(name);
      expect(s.host).toMatch(/^[a-z0-9.-]+\.[a-z]+$/);
      expect(s.secure ? s.port === 465 : s.port === 587).toBe(true);
    }
    const error = expectInvalidInput(() => serviceSettings("gmial"));
    expect(error.message).toMatch(/service "gmial" is not known; known: gmail,/);
    expectInvalidInput(() => serviceSettings(1));
  });
});

describe("connection URLs against smtp-server", () => {
  let peer: SmtpServerPeer;
  beforeAll(async () => {
    peer = await startSmtpServerPeer({ tls: "none" });
  });
  afterAll(() => peer?.close());

  it("createClient(url) logs in with a percent-encoded UTF-8 password and sends", async () => {
    const client = createClient(
      `smtp://${encodeURIComponent("utf8user@example.test")}:${encodeURIComponent("pässwörd")}@127.0.0.1:${peer.port}?starttls=opportunistic&auth.method=PLAIN`,
    );
    const before = peer.received.length;
    await client.send({ from: "utf8user@example.test", to: "rcpt@other.test", text: "via a URL" });
    await client.close();
    expect(peer.received[before]?.user).toBe("utf8user@example.test");
  });
});
