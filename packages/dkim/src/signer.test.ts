import { createHash } from "node:crypto";
import { testKey } from "@smtp-internal/dkim-verify";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { latin1 } from "../test/support.ts";
import { DkimError } from "./errors.ts";
import { MAX_HEADER_SECTION } from "./header-section.ts";
import type { DkimOptions } from "./options.ts";
import { createDkimSigner } from "./signer.ts";

const ed: DkimOptions = {
  domainName: "example.com",
  keySelector: "ed",
  privateKey: testKey("ed25519").pkcs8,
};
const rsa: DkimOptions = {
  domainName: "example.com",
  keySelector: "rsa",
  privateKey: testKey("rsa").pkcs8,
};
const now = new Date("2026-01-02T03:04:05Z");
const MESSAGE =
  "Received: from relay\r\nFrom: a@example.com\r\nTo: b@example.org\r\nCc: c@example.org\r\nX-Other: 1\r\n" +
  "Subject: Hi\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" +
  "Body  line \r\n\r\nlast\r\n\r\n";

function tag(fields: string, name: string): string[] {
  return [...fields.replace(/\r\n /g, "").matchAll(new RegExp(`[; ]${name}=([^;\\r]*)`, "g"))].map(
    (m) => m[1]!,
  );
}

describe("createDkimSigner", () => {
  it("lists the signed fields present in message order, then From and Subject once more", async () => {
    const fields = await createDkimSigner(ed).sign([latin1(MESSAGE)], { now });
    expect(tag(fields, "h")).toEqual([
      "from:to:cc:subject:date:mime-version:content-type:from:subject",
    ]);
    const noSubject = await createDkimSigner(ed).sign(
      [latin1("From: a@example.com\r\nFrom: b@example.com\r\n\r\n")],
      { now },
    );
    expect(tag(noSubject, "h")).toEqual(["from:from:from:subject"]);
    const custom = await createDkimSigner({
      ...ed,
      headerFieldNames: "X-Other:Received",
      skipFields: "Received",
    }).sign([latin1(MESSAGE)], { now });
    expect(tag(custom, "h")).toEqual(["from:x-other:from"]);
  });

  it("writes t= from the signing time and x= from expiresIn; never l=", async () => {
    const fields = await createDkimSigner([ed, { ...rsa, expiresIn: 600 }]).sign(
      [latin1(MESSAGE)],
      { now },
    );
    expect(tag(fields, "t")).toEqual(["1767323045", "1767323045"]);
    expect(tag(fields, "x")).toEqual(["1767323645"]);
    expect(tag(fields, "l")).toEqual([]);
    expect(tag(fields, "a")).toEqual(["ed25519-sha256", "rsa-sha256"]);
    expect(fields.match(/^DKIM-Signature: /gm)).toHaveLength(2);
  });

  it("signs the same whatever the chunking, and does not keep the caller's chunks", async () => {
    const message = latin1(MESSAGE + "x".repeat(300) + "\r\n \t\r\n");
    const signer = createDkimSigner([ed, { ...rsa, canonicalization: "simple/simple" }]);
    const whole = await signer.sign([message], { now });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: message.length }), { maxLength: 12 }),
        async (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const signing = signer.begin();
          // One buffer, refilled for every chunk, as `stream({ reuseBuffers: true })` does.
          const buffer = new Uint8Array(message.length);
          let from = 0;
          for (const point of [...points, message.length]) {
            buffer.set(message.subarray(from, point));
            signing.update(buffer.subarray(0, point - from));
            buffer.fill(0x7e);
            from = point;
          }
          expect(await signing.finish({ now })).toBe(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reads sync and async iterables", async () => {
    const signer = createDkimSigner(ed);
    const chunks = [latin1(MESSAGE.slice(0, 50)), latin1(MESSAGE.slice(50))];
    const asyncChunks = (async function* () {
      yield* chunks;
    })();
    expect(await signer.sign(asyncChunks, { now })).toBe(await signer.sign(chunks, { now }));
  });

  it("hashes each body canonicalization once, with the given SHA-256", async () => {
    let made = 0;
    const createSha256 = () => {
      made++;
      return createHash("sha256");
    };
    const fields = await createDkimSigner([ed, rsa], { createSha256 }).sign([latin1(MESSAGE)], {
      now,
    });
    expect(made).toBe(1);
    expect(fields).toBe(await createDkimSigner([ed, rsa]).sign([latin1(MESSAGE)], { now }));
    await createDkimSigner([ed, { ...rsa, canonicalization: "relaxed/simple" }], {
      createSha256,
    }).sign([latin1(MESSAGE)], { now });
    expect(made).toBe(3);
    expect(() => createDkimSigner(ed, { createSha256: "sha256" as never })).toThrow(/createSha256/);
  });

  it("refuses a message without From, with the reason", async () => {
    const signer = createDkimSigner(ed);
    await expect(signer.sign([latin1("To: b@example.org\r\n\r\nbody")])).rejects.toThrow(
      /^message: has no From header field/,
    );
    await expect(signer.sign([latin1("\r\nFrom: a@example.com\r\n")])).rejects.toThrow(DkimError);
    await expect(signer.sign([])).rejects.toThrow(DkimError);
  });

  it("refuses a header section over 1 MiB as it comes, and chunks that are not bytes", async () => {
    const signing = createDkimSigner(ed).begin();
    signing.update(latin1("From: a@example.com\r\n"));
    expect(() => signing.update(latin1(`X: ${"a".repeat(MAX_HEADER_SECTION)}`))).toThrow(
      /larger than/,
    );
    const other = createDkimSigner(ed).begin();
    expect(() => other.update("From: a" as never)).toThrow(/Uint8Array/);
  });

  it("signs a message once: update or finish after finish throws", async () => {
    const signing = createDkimSigner(ed).begin();
    signing.update(latin1(MESSAGE));
    await signing.finish({ now });
    expect(() => signing.update(latin1("more"))).toThrow(/already signed/);
    await expect(signing.finish({ now })).rejects.toThrow(/already signed/);
  });

  it("refuses an invalid time", async () => {
    await expect(
      createDkimSigner(ed).sign([latin1(MESSAGE)], { now: new Date(Number.NaN) }),
    ).rejects.toThrow(/^now:/);
  });

  it("names the signature at fault in an array, and refuses an empty one", () => {
    expect(() => createDkimSigner([ed, { ...rsa, keySelector: "a b" }])).toThrow(
      /^dkim\[1\]\.keySelector:/,
    );
    expect(() => createDkimSigner({ ...rsa, keySelector: "a b" })).toThrow(/^dkim\.keySelector:/);
    expect(() => createDkimSigner([])).toThrow(/^dkim: must name at least one signature/);
  });
});
