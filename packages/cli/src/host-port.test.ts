import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatHostPort, parseHostPort, parsePort } from "./host-port.ts";

describe("parsePort", () => {
  it("takes 1 to 65535 and refuses 0, 65536 and anything not a number", () => {
    expect(parsePort("1")).toBe(1);
    expect(parsePort("65535")).toBe(65535);
    for (const bad of ["0", "65536", "99999", "", "-1", "25x", "1e3", " 25"]) {
      expect(() => parsePort(bad), bad).toThrow(expect.objectContaining({ kind: "invalid-input" }));
    }
  });
});

describe("parseHostPort", () => {
  it("reads names, IPv4 and bracketed or bare IPv6, with or without a port", () => {
    expect(parseHostPort("mail.example.com", "x")).toEqual({ host: "mail.example.com" });
    expect(parseHostPort("mail.example.com:587", "x")).toEqual({
      host: "mail.example.com",
      port: 587,
    });
    expect(parseHostPort("127.0.0.1:25", "x")).toEqual({ host: "127.0.0.1", port: 25 });
    expect(parseHostPort("[::1]:2525", "x")).toEqual({ host: "::1", port: 2525 });
    expect(parseHostPort("[::1]", "x")).toEqual({ host: "::1" });
    expect(parseHostPort("::1", "x")).toEqual({ host: "::1" });
  });

  it("refuses URLs, user information, spaces, empty hosts and bad ports", () => {
    for (const bad of [
      "",
      "a b",
      "u@host",
      "smtp://host",
      ":25",
      "host:0",
      "host:65536",
      "[::1",
      "host:",
    ]) {
      expect(() => parseHostPort(bad, "x"), bad).toThrow(
        expect.objectContaining({ kind: "invalid-input" }),
      );
    }
  });

  it("reads back what formatHostPort writes (property)", () => {
    const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6());
    fc.assert(
      fc.property(
        host,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        (h, port) => {
          const parsed = parseHostPort(formatHostPort(h, port), "x");
          expect(parsed.host).toBe(h);
          expect(parsed.port).toBe(port);
        },
      ),
    );
  });
});
