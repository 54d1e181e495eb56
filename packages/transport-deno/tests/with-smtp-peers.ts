// Runs a command (the Deno suite, a runtime example…) next to two smtp-server peers run by
// Node: one offering STARTTLS, one with implicit TLS, both with the same throwaway CA.
// Their settings reach the command as SMTP_PEER_* environment variables. Afterwards it
// checks that every message the command announced (`SMTP_PEER_RUN_ID` in an
// `X-Test-Run` header) really arrived, so a suite cannot pass without delivering.
//
//   node --conditions=source --import tsx packages/transport-deno/tests/with-smtp-peers.ts \
//     [--expect N] -- <command> [args…]
//
// The peers run outside the runtime under test on purpose: Deno's test sanitizers then see
// only the client's resources, and a peer bug can never be mistaken for a client leak.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createTestCa,
  startSmtpServerPeer,
  TEST_USERS,
} from "../../../tools/test-peer/src/index.ts";

function parseArgs(argv: string[]): { expect: number; command: string[] } {
  const dash = argv.indexOf("--");
  const own = dash === -1 ? [] : argv.slice(0, dash);
  const command = dash === -1 ? argv : argv.slice(dash + 1);
  const at = own.indexOf("--expect");
  const expect = at === -1 ? 0 : Number(own[at + 1]);
  if (!Number.isInteger(expect) || expect < 0) throw new Error("--expect needs a count");
  if (command.length === 0) throw new Error("usage: with-smtp-peers.ts [--expect N] -- <command>");
  return { expect, command };
}

const { expect, command } = parseArgs(process.argv.slice(2));
const ca = await createTestCa();
const starttls = await startSmtpServerPeer({ tls: "starttls", ca, allowInsecureAuth: false });
const implicit = await startSmtpServerPeer({ tls: "implicit", ca });
const dir = mkdtempSync(join(tmpdir(), "smtp-peers-"));
const caFile = join(dir, "ca.pem");
writeFileSync(caFile, ca.caPem);
const [user, pass] = Object.entries(TEST_USERS)[0] ?? ["", ""];
const runId = randomUUID();

const env = {
  ...process.env,
  SMTP_PEER_HOST: starttls.host,
  SMTP_PEER_STARTTLS_PORT: String(starttls.port),
  SMTP_PEER_SMTPS_PORT: String(implicit.port),
  SMTP_PEER_CA_FILE: caFile,
  // Also inline, so a Deno suite needs no read permission outside its own folder.
  SMTP_PEER_CA_PEM: ca.caPem,
  SMTP_PEER_USER: user,
  SMTP_PEER_PASS: pass,
  SMTP_PEER_RUN_ID: runId,
};

let code: number;
try {
  const [bin, ...args] = command as [string, ...string[]];
  code = await new Promise<number>((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (status, signal) => resolve(status ?? (signal ? 128 : 1)));
  });
  const decoder = new TextDecoder();
  const tagged = [...starttls.received, ...implicit.received].filter((m) =>
    decoder.decode(m.raw).includes(`X-Test-Run: ${runId}`),
  );
  console.log(
    `with-smtp-peers: ${tagged.length} tagged message(s) arrived ` +
      `(STARTTLS peer: ${starttls.received.length}, implicit TLS peer: ${implicit.received.length})`,
  );
  if (code === 0 && tagged.length < expect) {
    console.error(`with-smtp-peers: expected at least ${expect} tagged message(s)`);
    code = 1;
  }
  if (code === 0 && tagged.some((m) => !m.secure)) {
    console.error("with-smtp-peers: a tagged message arrived outside TLS");
    code = 1;
  }
} finally {
  await Promise.all([starttls.close(), implicit.close()]);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
