import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, envelope, runSmtp, tempDir, writeTemp } from "./run.ts";
import { validJson } from "./schemas.ts";

// The same built bin under Bun (`bunx @smtp/cli`) and Deno (`deno run npm:@smtp/cli`),
// which run it through their Node.js compatibility: node:net and node:tls included, so the
// probe's TLS details are there too.

let peer: SmtpServerPeer;
let dir: string;
let caFile: string;

beforeAll(async () => {
  await ensureBuilt();
  peer = await startSmtpServerPeer({ tls: "starttls" });
  dir = tempDir();
  caFile = writeTemp(dir, "ca.pem", peer.ca.caPem);
}, 60_000);
/** The peer's address and CA, and its test user. */
const login = (): string[] => [
  "--server",
  `127.0.0.1:${peer.port}`,
  "--ca",
  caFile,
  "-u",
  "user@example.test",
];

afterAll(async () => {
  await peer?.close();
});

describe.each(["bun", "deno"] as const)("on %s", (runtime) => {
  it("probe --json: TLS details and the certificate chain", async () => {
    const { code, stdout } = await runSmtp(
      ["probe", `127.0.0.1:${peer.port}`, "--ca", caFile, "--json"],
      { runtime },
    );
    expect(code).toBe(0);
    expect(validJson("probe", stdout)).toMatchObject({
      tls: { verified: true, version: "TLSv1.3", certificates: [{ subject: "CN=localhost" }, {}] },
      auth: { withPassword: "PLAIN" },
    });
  }, 40_000);

  it("send with AUTH, and exit codes by kind", async () => {
    const sent = await runSmtp(
      ["send", ...login(), ...envelope("a@example.test", `${runtime}@example.test`), "--json"],
      { runtime, env: { SMTP_PASS: "password" } },
    );
    expect(sent.code).toBe(0);
    expect(validJson("send", sent.stdout)).toMatchObject({
      ok: true,
      accepted: [`${runtime}@example.test`],
    });
    const refused = await runSmtp(
      ["send", ...login(), ...envelope("a@example.test", "b@example.test")],
      { runtime, env: { SMTP_PASS: "wrong" } },
    );
    expect(refused.code).toBe(7);
  }, 40_000);

  it("record, then replay what it wrote", async () => {
    const out = join(dir, `${runtime}.smtp`);
    const recorded = await runSmtp(
      ["record", out, ...login(), ...envelope("a@example.test", "b@example.test")],
      { runtime, env: { SMTP_PASS: "password" } },
    );
    expect(recorded.code).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^-- starttls --$/m);
    const replay = await runSmtp(["replay", out], { runtime });
    expect(replay.code).toBe(0);
  }, 40_000);
});
