import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { MailMetricsSnapshot } from "../src/index.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const ENTRY = fileURLToPath(new URL("./fixtures/worker-process.ts", import.meta.url));

/** A worker process (test/fixtures/worker-process.ts) and its last reported metrics. */
export interface WorkerProcess {
  child: ChildProcess;
  metrics: MailMetricsSnapshot | undefined;
  exited: Promise<number | null>;
  /** SIGTERM: graceful shutdown. */
  stop(): Promise<void>;
  /** SIGKILL: dies on the spot, mid-send or not. */
  kill(): Promise<void>;
}

/** Starts one worker process and waits until it takes jobs. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = fork(ENTRY, [], {
    cwd: ROOT,
    execArgv: ["--conditions=source", "--import", "tsx"],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const handle: WorkerProcess = {
    child,
    metrics: undefined,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
  child.on("message", (message: { metrics?: MailMetricsSnapshot }) => {
    if (message.metrics) handle.metrics = message.metrics;
  });
  await new Promise<void>((resolve, reject) => {
    child.on("message", (message: { ready?: boolean }) => {
      if (message.ready) resolve();
    });
    void exited.then((code) => reject(new Error(`worker process exited early (${code})`)));
  });
  return handle;
}
