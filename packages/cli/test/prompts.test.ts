import { existsSync } from "node:fs";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, envelope, runInTerminal, tempDir, writeTemp } from "./run.ts";

// Prompts and the progress bar need a terminal: script(1) gives the bin a pseudo-terminal
// and the answers are typed into it, as a person would.

const hasScript = existsSync("/usr/bin/script");
if (!hasScript && process.env.CI) throw new Error("script(1) (util-linux) is needed in CI");

let plain: SmtpServerPeer;
let starttls: SmtpServerPeer;
let caFile: string;
let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  [plain, starttls] = await Promise.all([
    startSmtpServerPeer({ tls: "none", size: 8 * 1024 * 1024 }),
    startSmtpServerPeer({ tls: "starttls" }),
  ]);
  dir = tempDir();
  caFile = writeTemp(dir, "ca.pem", starttls.ca.caPem);
}, 60_000);
afterAll(async () => {
  await Promise.all([plain?.close(), starttls?.close()]);
});

describe.skipIf(!hasScript)("on a terminal", () => {
  it("asks for the sender, the recipient, the subject and the text when they are missing", async () => {
    const { code, output } = await runInTerminal(
      ["send", "--server", `127.0.0.1:${plain.port}`, "--no-tls"],
      [
        { after: /From/, type: "me@example.test\r" },
        { after: /To/, type: "you@example.test\r" },
        { after: /Subject/, type: "Typed subject\r" },
        { after: /Message text/, type: "Typed body\r" },
      ],
    );
    expect(output).toContain("Sent <");
    expect(code).toBe(0);
    const received = plain.received.at(-1);
    expect(received?.from).toBe("me@example.test");
    expect(received?.to).toEqual(["you@example.test"]);
    const raw = new TextDecoder().decode(received?.raw);
    expect(raw).toContain("Subject: Typed subject");
    expect(raw).toContain("Typed body");
  }, 40_000);

  it("asks for the password with the input hidden", async () => {
    const { code, output } = await runInTerminal(
      [
        "send",
        "--server",
        `127.0.0.1:${starttls.port}`,
        "--ca",
        caFile,
        "-u",
        "user@example.test",
        ...envelope("a@example.test", "b@example.test"),
        "--subject",
        "s",
        "--text",
        "t",
      ],
      [{ after: /Password for user@example\.test/, type: "password\r" }],
    );
    expect(code).toBe(0);
    expect(starttls.received.at(-1)?.user).toBe("user@example.test");
    // The prompt echoes mask characters, never the password.
    expect(output).not.toContain("password");
  }, 40_000);

  it("a cancelled prompt (Ctrl-C) exits 130 and sends nothing", async () => {
    const before = plain.connectionCount();
    const { code } = await runInTerminal(
      ["send", "--server", `127.0.0.1:${plain.port}`, "--no-tls"],
      [{ after: /From/, type: "\x03" }],
    );
    expect(code).toBe(130);
    expect(plain.connectionCount()).toBe(before);
  }, 40_000);

  it("draws a progress bar for a large attachment", async () => {
    const big = writeTemp(dir, "big.bin", new Uint8Array(3 * 1024 * 1024).fill(0x41));
    const { code, output } = await runInTerminal(
      [
        "send",
        "--server",
        `127.0.0.1:${plain.port}`,
        "--no-tls",
        ...envelope("a@example.test", "b@example.test"),
        "--subject",
        "big",
        "--text",
        "see attachment",
        "-a",
        big,
      ],
      [],
    );
    expect(code).toBe(0);
    expect(output).toMatch(/Sent 4\.\d MiB/);
    expect(output).toContain("Sent");
  }, 40_000);

  it("bulk draws a progress bar and ends with a summary", async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `p${i}@example.test`).join("\n");
    const csv = writeTemp(dir, "progress.csv", `email\n${rows}\n`);
    const template = writeTemp(
      dir,
      "progress.json",
      JSON.stringify({ from: "a@example.test", to: "{{email}}", text: "hi" }),
    );
    const { code, output } = await runInTerminal(
      [
        "bulk",
        "--csv",
        csv,
        "--template",
        template,
        "--server",
        `127.0.0.1:${plain.port}`,
        "--no-tls",
      ],
      [],
    );
    expect(code).toBe(0);
    // The bar's last line (its frames come every 80 ms, so a fast run may show none).
    expect(output).toMatch(/Done in \d+\.\d s: 12 sent, 0 failed/);
    expect(output).toMatch(/Sent 12 of 12 messages/);
  }, 40_000);
});
