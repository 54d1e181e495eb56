import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../base64.ts";
import { createCramMd5Client } from "./cram-md5.ts";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const ascii = (value: string): Uint8Array => new TextEncoder().encode(value);

describe("CRAM-MD5", () => {
  it("reproduces the RFC 2195 example", () => {
    const client = createCramMd5Client("tim", "tanstaaftanstaaf");
    expect(client.name).toBe("CRAM-MD5");
    expect(client.initialResponse()).toBeNull();
    const challenge = decodeBase64("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    expect(text(challenge)).toBe("<1896.697170952@postoffice.reston.mci.net>");
    expect(client.complete).toBe(false);
    const response = client.respond(challenge);
    expect(text(response)).toBe("tim b913a602c7eda7a495b4e6e7334d3890");
    expect(encodeBase64(response)).toBe("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
    expect(client.complete).toBe(true);
  });

  it("matches node:crypto's HMAC-MD5 for random challenges and UTF-8 passwords", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.uint8Array({ minLength: 1, maxLength: 120 }),
        (user, pass, challenge) => {
          const response = createCramMd5Client(user, pass).respond(challenge);
          const digest = createHmac("md5", Buffer.from(pass, "utf8"))
            .update(challenge)
            .digest("hex");
          expect(text(response)).toBe(`${user} ${digest}`);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("refuses an empty challenge and a second one", () => {
    expect(() => createCramMd5Client("u", "p").respond(new Uint8Array(0))).toThrow(
      expect.objectContaining({ kind: "auth", detail: "sasl-bad-challenge" }),
    );
    const client = createCramMd5Client("u", "p");
    client.respond(ascii("<1@x>"));
    expect(() => client.respond(ascii("<2@x>"))).toThrow(
      expect.objectContaining({ kind: "auth", detail: "sasl-unexpected-challenge" }),
    );
  });
});
