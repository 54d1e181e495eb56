import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");

describe("the README demo (pnpm demo)", () => {
  it("sends through the embedded server, prints a redacted conversation and writes a parsable .eml", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "examples/demo/src/demo.ts"],
      { cwd: root, timeout: 60_000 },
    );
    expect(stdout).toContain("C: STARTTLS");
    expect(stdout).toMatch(/C: AUTH \S+/);
    expect(stdout).toContain("<redacted>");
    // The demo's password, alone or base64-encoded, never shows.
    for (const secret of ["password", "cGFzc3dvcmQ", "AHVzZXJAZXhhbXBsZS50ZXN0AHBhc3N3b3Jk"]) {
      expect(stdout.replace(/S: .*/g, "")).not.toContain(secret);
    }
    const path = /\s(\/\S+\.eml)\s*$/m.exec(stdout)?.[1];
    expect(path).toBeDefined();
    const raw = await readFile(path!);
    // mailparser inlines cid: images as data URLs, so the reference is checked on the raw message.
    expect(raw.toString("latin1")).toMatch(/multipart\/related[\s\S]*Content-ID: <logo@demo>/);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe("Grüße aus @smtp ✉️ — UTF-8 subject");
    expect(parsed.text).toContain("Hello from @smtp!");
    expect(parsed.html).toContain("<b>@smtp</b>");
    const names = parsed.attachments.map((a) => a.filename).sort();
    expect(names).toEqual(["logo.png", "notes — ünïcödé.txt"]);
    const logo = parsed.attachments.find((a) => a.filename === "logo.png");
    expect(logo?.cid).toBe("logo@demo");
    expect([...(logo?.content.subarray(0, 4) ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
