import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The README's driving loop is the first code most users copy, so it is run here as written:
// its fenced block becomes the body of a function in a temporary module (its import now points
// at this package's source) and drives a Session against a scripted in-memory server.

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const coreEntry = fileURLToPath(new URL("../src/index.ts", import.meta.url));

/** The first ```ts block after the "The driving loop" heading. */
function drivingLoopSnippet(): string {
  const section = readme.split("## The driving loop")[1];
  const block = section?.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (block === undefined) throw new Error("README: no ts block under 'The driving loop'");
  return block;
}

/** Turns the snippet into a module whose default export runs it with the given helpers. */
function toModule(snippet: string): string {
  const lines = snippet.split("\n");
  const imports = lines.filter((l) => l.startsWith("import "));
  const body = lines.filter((l) => !l.startsWith("import "));
  const rewritten = imports.map((l) => l.replace('"@smtp/core"', JSON.stringify(coreEntry)));
  return [
    ...rewritten,
    "// biome-ignore lint: generated",
    "export default async function run(transport: any, readUntil: any, message: any, console: any) {",
    ...body,
    "}",
    "",
  ].join("\n");
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * An SMTP server in memory: it answers each complete client line at once, offers STARTTLS and
 * PIPELINING, accepts everything, and closes after QUIT. A read with nothing to deliver is a
 * timeout, since nothing more would ever arrive: that is how a stalled loop shows.
 */
class ScriptedServer {
  readonly commands: string[] = [];
  readonly received: string[] = [];
  timeouts = 0;
  tlsUpgrades = 0;
  closed = false;
  #pending = "220 mx.example ESMTP\r\n";
  #buffer = "";
  #inData = false;
  #eof = false;

  readonly transport = {
    write: async (bytes: Uint8Array) => {
      this.#buffer += dec.decode(bytes);
      this.#consume();
    },
    startTls: async (options: { servername: string }) => {
      expect(options.servername).toBe("mx.example");
      this.tlsUpgrades++;
    },
    close: async () => {
      this.closed = true;
    },
  };

  readUntil = async (_transport: unknown, deadline: number | null) => {
    expect(deadline).not.toBeNull();
    if (this.#pending !== "") {
      const out = enc.encode(this.#pending);
      this.#pending = "";
      return out;
    }
    // A stalled loop would otherwise spin on timeouts for ever: end the stream instead.
    if (this.#eof || this.timeouts >= 20) return null;
    this.timeouts++;
    return "timeout";
  };

  #consume(): void {
    for (let end = this.#buffer.indexOf("\r\n"); end >= 0; end = this.#buffer.indexOf("\r\n")) {
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      if (this.#inData) {
        if (line === ".") {
          this.#inData = false;
          this.#pending += "250 2.0.0 queued\r\n";
        } else this.received.push(line);
        continue;
      }
      this.commands.push(line);
      const verb = line.split(/[ :]/)[0]?.toUpperCase();
      if (verb === "EHLO") {
        const tls = this.tlsUpgrades === 0 ? "250-STARTTLS\r\n" : "";
        this.#pending += `250-mx.example\r\n${tls}250-8BITMIME\r\n250 PIPELINING\r\n`;
      } else if (verb === "STARTTLS") this.#pending += "220 2.0.0 go ahead\r\n";
      else if (verb === "DATA") {
        this.#inData = true;
        this.#pending += "354 end with .\r\n";
      } else if (verb === "QUIT") {
        this.#pending += "221 2.0.0 bye\r\n";
        this.#eof = true;
      } else this.#pending += "250 2.0.0 ok\r\n";
    }
  }
}

describe("README driving loop", () => {
  const dir = mkdtempSync(join(tmpdir(), "smtp-core-readme-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("sends a message over STARTTLS and quits, without waiting for a deadline", async () => {
    const file = join(dir, "driving-loop.ts");
    writeFileSync(file, toModule(drivingLoopSnippet()));
    const { default: run } = await import(/* @vite-ignore */ file);
    const server = new ScriptedServer();
    const logged: unknown[][] = [];
    const message = enc.encode("Subject: hi\r\n\r\nHello.\r\n");
    await run(server.transport, server.readUntil, message, {
      log: (...a: unknown[]) => logged.push(a),
    });

    expect(server.timeouts).toBe(0);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.[1]).toMatchObject({ ok: true, accepted: ["you@example.net"] });
    expect(server.tlsUpgrades).toBe(1);
    expect(server.commands).toEqual([
      "EHLO client.example",
      "STARTTLS",
      "EHLO client.example",
      "MAIL FROM:<me@example.org>",
      "RCPT TO:<you@example.net>",
      "DATA",
      "QUIT",
    ]);
    expect(server.received).toEqual(["Subject: hi", "", "Hello."]);
    expect(server.closed).toBe(true);
  });
});
