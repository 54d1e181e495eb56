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

  it("ignores junk lines and the greeting line, and knows HELO has no extensions", () => {
    const caps = parseCapabilities(parseReply("250-PIPELINING\r\n250-   \r\n250 !!!"));
    expect(caps.pipelining).toBe(false);
    expect(caps.keywords.size).toBe(0);
    const helo = parseCapabilities(parseReply("250-mx\r\n250 PIPELINING"), true);
    expect(helo.helo).toBe(true);
    expect(helo.pipelining).toBe(false);
  });
});
