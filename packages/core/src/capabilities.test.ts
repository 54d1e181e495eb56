import { describe, expect, it } from "vitest";
import { parseCapabilities } from "./capabilities.ts";
import { parseReply } from "./reply-parser.ts";

describe("parseCapabilities", () => {
  it("reads every extension the engine uses", () => {
    const caps = parseCapabilities(
      parseReply(
        [
          "250-mx.example Hello",
          "250-PIPELINING",
          "250-SIZE 10485760",
          "250-8BITMIME",
          "250-SMTPUTF8",
          "250-STARTTLS",
          "250-AUTH LOGIN PLAIN",
          "250-AUTH=LOGIN cram-md5",
          "250-ENHANCEDSTATUSCODES",
          "250-CHUNKING",
          "250-BINARYMIME",
          "250-DSN",
          "250-X-RCPTLIMIT 100",
          "250 REQUIRETLS",
        ].join("\r\n"),
      ),
    );
    expect(caps).toMatchObject({
      pipelining: true,
      size: 10485760,
      eightBitMime: true,
      smtpUtf8: true,
      startTls: true,
      enhancedStatusCodes: true,
      chunking: true,
      binaryMime: true,
      dsn: true,
      requireTls: true,
      helo: false,
    });
    expect(caps.auth).toEqual(["LOGIN", "PLAIN", "CRAM-MD5"]);
    expect(caps.keywords.get("X-RCPTLIMIT")).toEqual(["100"]);
  });

  it("SIZE without a number means no stated limit; absent means undefined", () => {
    expect(parseCapabilities(parseReply("250-mx\r\n250 SIZE")).size).toBe(0);
    expect(parseCapabilities(parseReply("250-mx\r\n250 SIZE lots")).size).toBe(0);
    expect(parseCapabilities(parseReply("250 mx")).size).toBeUndefined();
  });

  const caps = (...lines: string[]) =>
    parseCapabilities(
      parseReply(
        ["mx.example", ...lines]
          .map((l, i, all) => `250${i === all.length - 1 ? " " : "-"}${l}`)
          .join("\r\n"),
      ),
    );

  it("SIZE: up to 15 digits, anything else means no stated limit", () => {
    expect(caps("SIZE 999999999999999").size).toBe(999999999999999);
    expect(caps("SIZE 1234567890123456").size).toBe(0);
    expect(caps("SIZE 100abc").size).toBe(0);
    expect(caps("SIZE abc100").size).toBe(0);
    expect(caps("SIZE 0").size).toBe(0);
  });

  it("a keyword without parameters has none; blanks around a line or its parameters do not count", () => {
    const c = caps("PIPELINING", "AUTH", "  DSN\t", "AUTH= PLAIN  LOGIN ", "X-EMPTY=");
    expect(c.keywords.get("PIPELINING")).toEqual([]);
    expect(c.keywords.get("X-EMPTY")).toEqual([]);
    expect(c.keywords.get("AUTH")).toEqual(["PLAIN", "LOGIN"]);
    expect(c.auth).toEqual(["PLAIN", "LOGIN"]);
    expect(c.dsn).toBe(true);
    expect(caps("AUTH").auth).toEqual([]);
  });

  it("a line is a keyword from its first character to its end, or it is ignored", () => {
    const c = caps("#PIPELINING", "CHUNKING!", "SIZE:100", "-DSN");
    expect([...c.keywords.keys()]).toEqual([]);
    expect(c.size).toBeUndefined();
  });

  it("ignores junk lines and the greeting line, and knows HELO has no extensions", () => {
    const caps = parseCapabilities(parseReply("250-PIPELINING\r\n250-   \r\n250 !!!"));
    expect(caps.pipelining).toBe(false);
    expect(caps.keywords.size).toBe(0);
    const helo = parseCapabilities(parseReply("250-mx\r\n250 PIPELINING"), true);
    expect(helo.helo).toBe(true);
    expect(helo.pipelining).toBe(false);
  });
});
