/**
 * The client side of the TLS set-up measurement (run in a client process): `rounds`
 * connections one after another, each connect, EHLO, STARTTLS, EHLO, AUTH, QUIT (timed to
 * the QUIT: the set-up), with
 * @smtp (its connector keeps TLS sessions, or a connector told not to) or nodemailer
 * (which keeps none). `verify()` is that sequence in both libraries.
 */
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";
import type { TlsSetupJob, TlsSetupOutcome } from "./protocol.ts";
import { fromSource, loadClientModule } from "./smtp-modules.ts";

type NodeTransportModule = typeof import("../packages/transport-node/src/index.ts");

/** `@smtp/transport-node`, from dist or source like the client. */
async function loadTransportNode(): Promise<NodeTransportModule> {
  const path = fromSource()
    ? "../packages/transport-node/src/index.ts"
    : "../packages/transport-node/dist/index.js";
  return (await import(fileURLToPath(new URL(path, import.meta.url)))) as NodeTransportModule;
}

/** A connection set-up: resolves with the ms from its start to the QUIT being written. */
type SetUp = () => Promise<number>;

/**
 * `verify()` timed to the moment the client writes QUIT: the connection is then ready
 * (TLS and AUTH done), whatever either library does after it.
 */
function timedVerify(verify: () => Promise<unknown>, quitAt: { t: number }): SetUp {
  return async () => {
    const started = performance.now();
    quitAt.t = Number.NaN;
    await verify();
    return quitAt.t - started;
  };
}

async function verifier(job: TlsSetupJob): Promise<SetUp> {
  const quitAt = { t: Number.NaN };
  const onLine = (client: boolean, text: string) => {
    if (client && text === "QUIT") quitAt.t = performance.now();
  };
  if (job.client === "nodemailer") {
    // nodemailer logs each command it writes at debug level when `debug` is on.
    const quiet = () => {};
    const logger = {
      level: quiet,
      trace: quiet,
      info: quiet,
      warn: quiet,
      error: quiet,
      fatal: quiet,
      debug: (meta: { tnx?: string }, message: string) => onLine(meta?.tnx === "client", message),
    };
    const transport = nodemailer.createTransport({
      host: job.host,
      port: job.port,
      secure: false,
      requireTLS: true,
      tls: { ca: job.ca },
      auth: job.auth,
      debug: true,
      logger: logger as never,
    });
    return timedVerify(() => transport.verify(), quitAt);
  }
  const { createClient } = await loadClientModule();
  const tls = { ca: job.ca };
  const transport =
    job.client === "smtp-full"
      ? { transport: (await loadTransportNode()).nodeConnector({ tls, resumeSessions: false }) }
      : {};
  const client = createClient({
    host: job.host,
    port: job.port,
    starttls: "required",
    tls,
    auth: job.auth,
    transcript: (entry) => onLine(entry.direction === "C", entry.text),
    ...transport,
  });
  return timedVerify(() => client.verify(), quitAt);
}

/**
 * Runs the job: `warmup` set-ups, then `rounds` timed ones.
 *
 * @since 0.2.0
 */
export async function runTlsSetup(
  job: TlsSetupJob,
  waitForGo: () => Promise<void>,
): Promise<TlsSetupOutcome> {
  const verify = await verifier(job);
  for (let i = 0; i < job.warmup; i++) await verify();
  await waitForGo();
  const setupMs: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const cpu = process.cpuUsage();
  for (let i = 0; i < job.rounds; i++) {
    try {
      const ms = await verify();
      if (Number.isFinite(ms)) setupMs.push(ms);
      else {
        failed++;
        firstError ??= "no QUIT was seen";
      }
    } catch (error) {
      failed++;
      firstError ??= String(error);
    }
  }
  const used = process.cpuUsage(cpu);
  return {
    type: "result",
    kind: "tls-setup",
    setupMs,
    cpuUserUs: used.user,
    cpuSystemUs: used.system,
    failed,
    ...(firstError === undefined ? {} : { firstError }),
  };
}
