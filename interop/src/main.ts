/**
 * `pnpm interop` (after interop/peers/setup.sh): @smtp/client against Postfix, Exim,
 * OpenSMTPD, Haraka, smtp-server and Dovecot LMTP on loopback. Prints the table, writes it to
 * interop/RESULTS.md, saves the conversation of every failed cell under interop/captures/,
 * and exits 1 when any cell failed. See interop/README.md.
 *
 *   node --conditions=source --import tsx interop/src/main.ts [--servers a,b] [--cells x,y]
 *     [--concurrency n] [--no-write]
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runMatrix } from "./matrix.ts";
import { renderMarkdown, tally } from "./report.ts";
import { loadServers, SERVER_IDS, type ServerId } from "./servers.ts";

const INTEROP = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = join(INTEROP, "..");

const { values } = parseArgs({
  options: {
    servers: { type: "string" },
    cells: { type: "string" },
    concurrency: { type: "string", default: "3" },
    "no-write": { type: "boolean", default: false },
  },
});
const list = (value: string | undefined) =>
  value
    ?.split(",")
    .map((v) => v.trim())
    .filter(Boolean);
const ids = (list(values.servers) ?? [...SERVER_IDS]) as ServerId[];
for (const id of ids)
  if (!SERVER_IDS.includes(id))
    throw new Error(`unknown server ${id}; known: ${SERVER_IDS.join(", ")}`);
// Any non-empty CI (true, 1, yes ...) means every server must be there: missing ones fail.
const ci = (process.env.CI ?? "") !== "";
const write = !values["no-write"];

const smtpState = process.env.SMTP_STATE ?? "/var/lib/smtp-test-peer";
const servers = await loadServers(ids, {
  smtpState,
  interopState: process.env.INTEROP_STATE ?? join(smtpState, "interop"),
});
const result = await runMatrix(servers, {
  missingIsFailure: ci,
  onlyCells: list(values.cells),
  concurrency: Number(values.concurrency),
  capturesFolder: write ? join(INTEROP, "captures") : undefined,
  runId: `r${Date.now().toString(36)}${randomBytes(2).toString("hex")}`,
  log: (line) => process.stderr.write(`[interop] ${line}\n`),
});
for (const [key, path] of result.captures) result.captures.set(key, relative(ROOT, path));
const table = renderMarkdown(result);
process.stdout.write(`\n${table}`);
if (write) {
  const heading = [
    "# Interop matrix results",
    "",
    `Written by \`pnpm interop\` (interop/README.md) on ${new Date().toISOString()}, Node ${process.version}.`,
    "Each cell runs @smtp/client against the server on loopback and checks what the server",
    "stored (or the typed error against the server's reply).",
    "",
  ].join("\n");
  await writeFile(join(INTEROP, "RESULTS.md"), `${heading}\n${table}`);
}
const t = tally(result);
process.stdout.write(`\ninterop: ${t.pass} passed, ${t.fail} failed\n`);
process.exitCode = t.fail > 0 ? 1 : 0;
