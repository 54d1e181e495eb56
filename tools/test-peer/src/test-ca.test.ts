import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestCa } from "./test-ca.ts";

describe("createTestCa", () => {
  it("makes a CA and a CA:FALSE serverAuth leaf for localhost, 127.0.0.1 and ::1, signed by it", async () => {
    const ca = await createTestCa();
    const root = new X509Certificate(ca.caPem);
    const leaf = new X509Certificate(ca.certPem);
    expect(root.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.checkHost("localhost")).toBe("localhost");
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkIP("::1")).toBe("::1");
    expect(leaf.checkHost("example.com")).toBeUndefined();
    expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(ca.fullchainPem).toBe(`${ca.certPem.trimEnd()}\n${ca.caPem.trimEnd()}\n`);
  });

  it("issues client certificates and expired ones from the same CA", async () => {
    const ca = await createTestCa();
    const client = await ca.issue({ commonName: "client", usage: "client" });
    expect(new X509Certificate(client.certPem).keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    const expired = await ca.issue({
      dns: ["localhost"],
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const cert = new X509Certificate(expired.certPem);
    expect(Date.parse(cert.validTo)).toBeLessThan(Date.now());
    expect(cert.checkIssued(new X509Certificate(ca.caPem))).toBe(true);
  });
});
