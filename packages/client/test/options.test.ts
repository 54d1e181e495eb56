import { createClient } from "@smtp/client";
import { isValidEhloName } from "@smtp/core/internal";
import { describe, expect, it } from "vitest";
import { addressLiteral, chooseEhloName } from "../src/ehlo-name.ts";
import { isLoopbackHost } from "../src/loopback.ts";
import { resolveOptions } from "../src/resolve-options.ts";
import { expectInvalidInput } from "./helpers.ts";

describe("resolveOptions", () => {
  it("defaults: port 587, STARTTLS required, no pool, certificates verified", () => {
    const o = resolveOptions({ host: "smtp.example.com" });
    expect(o).toMatchObject({ port: 587, secure: false, starttls: "required", loopback: false });
    expect(o.pool.pooled).toBe(false);
    expect(o.servername).toBe("smtp.example.com");
    expect(o.allowInsecureAuth).toBe(false);
  });

  it("port 465 implies implicit TLS, and secure implies port 465", () => {
    expect(resolveOptions({ host: "smtp.example.com", port: 465 }).secure).toBe(true);
    expect(resolveOptions({ host: "smtp.example.com", secure: true }).port).toBe(465);
    expect(resolveOptions({ host: "smtp.example.com", port: 2525, secure: true }).secure).toBe(
      true,
    );
  });

  it.each(["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"])(
    "STARTTLS is opportunistic by default to the loopback host %s",
    (host) => {
      expect(resolveOptions({ host }).starttls).toBe("opportunistic");
      expect(resolveOptions({ host, starttls: "required" }).starttls).toBe("required");
    },
  );

  it("pool: true or an object turns pooling on with defaults", () => {
    expect(resolveOptions({ host: "h.example", pool: true }).pool).toEqual({
      pooled: true,
      maxConnections: 5,
      maxMessages: 100,
      maxInFlight: 32,
      maxInFlightBytes: 1_048_576,
      idleTimeout: 5000,
      noopAfterIdle: 10_000,
      rateLimit: undefined,
    });
    expect(
      resolveOptions({ host: "h.example", pool: { maxConnections: 2 } }).pool.maxConnections,
    ).toBe(2);
  });

  it.each([
    ["an empty host", { host: "" }],
    ["a host with CRLF", { host: "smtp.example.com\r\nRSET" }],
    ["port 0", { host: "h.example", port: 0 }],
    ["port 70000", { host: "h.example", port: 70000 }],
    ["a bad starttls policy", { host: "h.example", starttls: "sometimes" }],
    ["a bad EHLO name", { host: "h.example", name: "not a name" }],
    ["a single-label EHLO name", { host: "h.example", name: "localhost" }],
    ["auth without a secret", { host: "h.example", auth: { user: "u" } }],
    ["a user with LF", { host: "h.example", auth: { user: "u\n", pass: "p" } }],
    [
      "an unknown AUTH method",
      { host: "h.example", auth: { user: "u", pass: "p", method: "NTLM" } },
    ],
    ["a negative timeout", { host: "h.example", timeouts: { greeting: -1 } }],
    ["a zero command timeout", { host: "h.example", timeouts: { command: 0 } }],
    // Timers cannot hold more than 2^31-1 ms: a longer one would fire after 1 ms.
    ["a data timeout beyond a timer's range", { host: "h.example", timeouts: { data: 2 ** 31 } }],
    [
      "an idle timeout beyond a timer's range",
      { host: "h.example", pool: { idleTimeout: 2 ** 31 } },
    ],
    [
      "a rate-limit interval beyond a timer's range",
      { host: "h.example", pool: { rateLimit: { messages: 1, interval: 2 ** 31 } } },
    ],
    ["maxConnections 0", { host: "h.example", pool: { maxConnections: 0 } }],
    [
      "a rate limit of 0 messages",
      { host: "h.example", pool: { rateLimit: { messages: 0, interval: 1 } } },
    ],
    ["a non-function transcript", { host: "h.example", transcript: "yes" }],
  ])("refuses %s", (_name, options) => {
    expectInvalidInput(() => createClient(options as never));
  });

  it("accepts the longest delay a timer can hold", () => {
    expect(() =>
      createClient({ host: "h.example", timeouts: { data: 2 ** 31 - 1 }, pool: false }),
    ).not.toThrow();
  });

  it.each([
    ["socks5://user@proxy.example:1080", /needs its password/],
    [`socks5://u:${"p".repeat(256)}-secret@proxy.example`, /pass must be 1 to 255 bytes/],
    ["http://a%3Ab:secret@proxy.example:3128", /must not contain ':'/],
    ["socks4://proxy.example", /SOCKS4/],
  ])("checks a proxy URL in full when the client is created: %s", (proxy, message) => {
    // The proxy's code loads with the first connection; nothing about the URL waits for it.
    const error = expectInvalidInput(() => createClient({ host: "h.example", proxy }));
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("secret");
  });

  it("a proxy URL decides loopback by the proxy's host, as a proxy object does", () => {
    const through = (proxy: string) => resolveOptions({ host: "localhost", proxy }).loopback;
    expect(through("socks5://127.0.0.1:1080")).toBe(true);
    expect(through("http://proxy.example:3128")).toBe(false);
  });

  it("never puts the password in a validation error", () => {
    const error = expectInvalidInput(() =>
      createClient({ host: "h.example", auth: { user: "u", pass: "secret\r\nvalue" } }),
    );
    expect(error.message).not.toContain("secret");
  });
});

describe("EHLO name", () => {
  it("uses the fully qualified host name, else the local address literal", () => {
    expect(chooseEhloName("mail.example.com", "192.0.2.7")).toBe("mail.example.com");
    expect(chooseEhloName("buildbox", "192.0.2.7")).toBe("[192.0.2.7]");
    expect(chooseEhloName(undefined, "2001:db8::1")).toBe("[IPv6:2001:db8::1]");
    expect(chooseEhloName("buildbox", "::ffff:127.0.0.1")).toBe("[127.0.0.1]");
    expect(chooseEhloName("-bad-.example", undefined)).toBe("[127.0.0.1]");
  });

  it("every choice is a valid EHLO argument", () => {
    for (const ip of ["10.0.0.1", "::1", "fe80::1%eth0", "::ffff:10.1.2.3"]) {
      expect(isValidEhloName(addressLiteral(ip))).toBe(true);
    }
    expect(isValidEhloName("[300.1.1.1]")).toBe(false);
    expect(isValidEhloName("a..b")).toBe(false);
  });

  it("tells loopback hosts apart", () => {
    expect(isLoopbackHost("LOCALHOST")).toBe(true);
    expect(isLoopbackHost("::ffff:127.0.0.1")).toBe(true);
    expect(isLoopbackHost("128.0.0.1")).toBe(false);
    expect(isLoopbackHost("localhost.example.com")).toBe(false);
  });
});

describe("serverOf", () => {
  it("resolves a URL, a service and plain options to host, port and TLS mode", async () => {
    const { serverOf } = await import("@smtp/client");
    expect(serverOf("smtps://u:p@smtp.example.com")).toEqual({
      host: "smtp.example.com",
      port: 465,
      secure: true,
    });
    expect(serverOf({ host: "relay.internal", port: 25 })).toEqual({
      host: "relay.internal",
      port: 25,
      secure: false,
    });
    expect(serverOf({ service: "gmail", auth: { user: "u", pass: "p" } }).host).toBe(
      "smtp.gmail.com",
    );
    expect(() => serverOf({ host: "mx.example.com", port: 70000 })).toThrow(/port/);
  });
});
