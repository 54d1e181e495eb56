import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { relaxedField } from "./header-fields.ts";
import {
  completeSignatureField,
  type SignatureTags,
  signatureFieldPrefix,
} from "./signature-header.ts";

const tags: SignatureTags = {
  algorithm: "rsa-sha256",
  canonicalization: "relaxed/relaxed",
  domain: "example.com",
  selector: "s1",
  timestamp: 1_700_000_000,
  expires: 1_700_003_600,
  headerNames: ["from", "to", "subject", "date", "message-id", "from", "subject"],
  bodyHash: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
};

describe("the DKIM-Signature field", () => {
  it("lists the tags in order, b= last and empty in the prefix; no l=", () => {
    const prefix = signatureFieldPrefix(tags);
    expect(prefix.replace(/\r\n /g, " ")).toBe(
      "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1; t=1700000000; x=1700003600; h=from:to:subject:date:message-id:from:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=",
    );
    expect(signatureFieldPrefix({ ...tags, expires: undefined })).not.toContain("x=");
    expect(prefix).not.toMatch(/\bl=/);
  });

  it("folds lines at 78 characters, only where folding whitespace is allowed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,40}$/), { minLength: 1, maxLength: 60 }),
        fc.stringMatching(/^[A-Za-z0-9+/]{64,700}$/),
        (headerNames, signature) => {
          const prefix = signatureFieldPrefix({ ...tags, headerNames });
          const field = completeSignatureField(prefix, signature);
          expect(field.endsWith("\r\n")).toBe(true);
          const lines = field.slice(0, -2).split("\r\n");
          for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
          for (const line of lines.slice(1)) expect(line).toMatch(/^ \S/);
          // Unfolded, the h= list and b= value read back exactly.
          const unfolded = field.replace(/\r\n /g, "");
          expect(unfolded).toContain(`h=${headerNames.join(":")};`);
          expect(unfolded.endsWith(`b=${signature}\r\n`)).toBe(true);
          // The field starts with the prefix, which a verifier rebuilds by emptying b=.
          expect(field.startsWith(prefix)).toBe(true);
        },
      ),
    );
  });

  it("relaxed, the prefix is what a verifier hashes after emptying b=", () => {
    const prefix = signatureFieldPrefix(tags);
    const field = completeSignatureField(prefix, "A".repeat(344));
    const emptied = field.replace(/b=[A-Za-z0-9+/=\r\n ]*$/, "b=");
    expect(relaxedField(emptied)).toBe(relaxedField(prefix));
  });
});
