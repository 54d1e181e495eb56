// The whole example in one command: an SMTP server (embedded unless MAIL_HOST is set), the
// dashboard, two workers and the producer, each in its own process as you would run them.
// Waits until the dashboard's API shows every message completed, then stops them all.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startSmtpServerPeer } from "@smtp-internal/test-peer";
import { QUEUE_NAME, redisUrl } from "./config.ts";

redisUrl();
const count = Number(process.env.COUNT ?? 100);
const env: Record<string, string> = { ...(process.env as Record<string, string>) };
const here = new URL(".", import.meta.url);

// Without MAIL_HOST, one embedded server (STARTTLS, AUTH) shared by both workers.
let stopServer = async () => {};
let received = () => -1;
if (!env.MAIL_HOST) {
  const server = await startSmtpServerPeer({ tls: "starttls" });
  const caFile = join(mkdtempSync(join(tmpdir(), "queue-example-")), "ca.pem");
  writeFileSync(caFile, server.ca.caPem);
  Object.assign(env, {
    MAIL_HOST: server.host,
    MAIL_PORT: String(server.port),
    MAIL_USER: "user@example.test",
    MAIL_PASS: "password",
    MAIL_CA_FILE: caFile,
    MAIL_FROM: "user@example.test",
    MAIL_TO: "reader@example.test",
  });
  console.log(`main: embedded SMTP server on ${server.host}:${server.port}`);
  stopServer = () => server.close();
  received = () => server.received.length;
}

const children: ChildProcess[] = [];
function start(file: string, extra: Record<string, string> = {}): ChildProcess {
  const child = fork(new URL(file, here), [], {
    env: { ...env, ...extra },
    execArgv: ["--conditions=source", "--import", "tsx"],
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  child.stdout!.on("data", (chunk: Buffer) => process.stdout.write(chunk));
  children.push(child);
  return child;
}
const line = (child: ChildProcess, pattern: RegExp) =>
  new Promise<RegExpMatchArray>((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) resolve(match);
    });
    child.once("exit", (code) => reject(new Error(`${pattern} not printed (exit ${code})`)));
  });
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", resolve),
  );

try {
  const dashboard = start("dashboard.ts", { DASHBOARD_PORT: env.DASHBOARD_PORT ?? "0" });
  const url = (await line(dashboard, /dashboard: (http:\S+)/))[1]!;
  const workers = ["worker-a", "worker-b"].map((name) => start("worker.ts", { WORKER_NAME: name }));
  await Promise.all(workers.map((w) => line(w, /ready on/)));
  const producer = start("producer.ts", { COUNT: String(count) });
  if ((await exited(producer)) !== 0) throw new Error("the producer failed");

  // Watch the queue through the dashboard's own API, as its web page does.
  const deadline = Date.now() + 60_000;
  let counts: Record<string, number> = {};
  for (;;) {
    const response = await fetch(`${url}api/queues`);
    const body = (await response.json()) as {
      queues: { name: string; counts: Record<string, number> }[];
    };
    counts = body.queues.find((q) => q.name === QUEUE_NAME)?.counts ?? {};
    if ((counts.completed ?? 0) + (counts.failed ?? 0) >= count) break;
    if (Date.now() > deadline) throw new Error(`not finished in time: ${JSON.stringify(counts)}`);
    await sleep(200);
  }
  for (const worker of workers) worker.kill("SIGTERM");
  await Promise.all(workers.map(exited));
  console.log(
    `main: done: ${counts.completed ?? 0} completed, ${counts.failed ?? 0} failed` +
      (received() >= 0 ? `, ${received()} received by the embedded server` : ""),
  );
} finally {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  await Promise.all(children.map(exited));
  await stopServer();
}
