import { describe, expect, it } from "vitest";
import { parseCapabilities } from "./capabilities.ts";
import { encodeCommand } from "./command.ts";
import { firstRefusal } from "./extensions.ts";
import type { SendJob } from "./session-types.ts";
import { mailParameters, validateJob } from "./transaction.ts";

const requireTlsRefusal = (j: SendJob, c: ReturnType<typeof caps>, secure: boolean) =>
  firstRefusal({ job: j, caps: c, secure, bdat: false });

const job = { from: "a@example.org", to: ["b@example.net"], requireTls: true };
const caps = (keyword: string) => parseCapabilities({ code: 250, lines: ["mx.example", keyword] });

describe("REQUIRETLS (RFC 8689)", () => {
  it("is a MAIL FROM parameter, after the others", () => {
    const params = mailParameters({ ...job, size: 10 }, caps("SIZE 100"));
    expect(params).toEqual({ size: 10, requireTls: true });
    expect(new TextDecoder().decode(encodeCommand({ name: "MAIL", from: job.from, params }))).toBe(
      "MAIL FROM:<a@example.org> SIZE=10 REQUIRETLS\r\n",
    );
    expect(mailParameters({ ...job, requireTls: false }, caps("REQUIRETLS"))).toEqual({});
  });

  it("needs TLS and the server's REQUIRETLS, else kind tls-required", () => {
    expect(requireTlsRefusal(job, caps("REQUIRETLS"), true)).toBeUndefined();
    expect(requireTlsRefusal(job, caps("REQUIRETLS"), false)).toMatchObject({
      kind: "tls-required",
      detail: "requiretls-not-tls",
      retryable: false,
    });
    expect(requireTlsRefusal(job, caps("8BITMIME"), true)).toMatchObject({
      kind: "tls-required",
      detail: "requiretls-unsupported",
    });
    expect(
      requireTlsRefusal({ from: job.from, to: job.to }, caps("8BITMIME"), false),
    ).toBeUndefined();
  });

  it("requireTls must be a boolean", () => {
    expect(() => validateJob({ ...job, requireTls: "yes" as never })).toThrow(
      /requireTls must be a boolean/,
    );
  });
});
