/**
 * Runner-side handles on the child processes: the server process (sink and proxies) and
 * one client process per measurement. Both run the bench's TypeScript through tsx; a client
 * process loads @smtp from its built `dist` unless the sources are measured (`--source`).
 */
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  ClientJob,
  ClientOutcome,
  ServerHello,
  ServerReply,
  ServerRequest,
  ServerSnapshot,
} from "./protocol.ts";
import type { SinkMode, StoredMessage } from "./sink.ts";

/** The repository root: children resolve `tsx` and the workspace from here. @since 0.1.0 */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX_ARGS = ["--conditions=source", "--import", "tsx"];

/** Distributes the request types over their `op`, without the `id` the handle adds. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The server process. @since 0.1.0 */
export interface ServerHandle {
  sinkPort: number;
  reset(mode: SinkMode): Promise<void>;
  snapshot(): Promise<ServerSnapshot>;
  stored(): Promise<StoredMessage[]>;
  /** A delaying proxy to the sink, or to `targetPort` on 127.0.0.1; resolves to its port. */
  openProxy(delayMs: number, targetPort?: number): Promise<number>;
  closeProxy(port: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts bench/server.ts and waits for its sink to listen. @since 0.1.0 */
export async function startServer(): Promise<ServerHandle> {
  const child = fork(fileURLToPath(new URL("./server.ts", import.meta.url)), [], {
    cwd: ROOT,
    execArgv: TSX_ARGS,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (reply: ServerReply) => void>();
  let nextId = 1;
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const sinkPort = await new Promise<number>((resolve, reject) => {
    child.once("message", (hello: ServerHello) => resolve(hello.sinkPort));
    child.once("error", reject);
    exited.then((code) => reject(new Error(`server process exited early (${code})`)));
  });
  child.on("message", (reply: ServerReply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  const request = (body: Without<ServerRequest, "id">): Promise<ServerReply & { ok: true }> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, (reply) => {
        if (reply.ok) resolve(reply);
        else reject(new Error(`server: ${reply.error}`));
      });
      child.send({ ...body, id } as ServerRequest);
    });
  };
  return {
    sinkPort,
    reset: async (mode) => {
      await request({ op: "reset", mode });
    },
    snapshot: async () => (await request({ op: "snapshot" })).snapshot!,
    stored: async () => (await request({ op: "stored" })).stored ?? [],
    openProxy: async (delayMs, targetPort) =>
      (await request({ op: "proxy", delayMs, ...(targetPort === undefined ? {} : { targetPort }) }))
        .port!,
    closeProxy: async (port) => {
      await request({ op: "close-proxy", port });
    },
    async stop() {
      await request({ op: "stop" }).catch(() => {});
      const timer = setTimeout(() => child.kill(), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Options of one client process. @since 0.1.0 */
export interface ClientRunOptions {
  /** Called once the client is warmed up; the timed part starts when it resolves. */
  onWarm: () => Promise<void>;
  /** Write a CPU profile into this directory. */
  cpuProfDir?: string | undefined;
  /** Profile file name. */
  label: string;
  /** Kill the process after this many ms. */
  timeoutMs: number;
  /** Load @smtp from its TypeScript sources (BENCH_SOURCE=1), not the built dist. */
  source?: boolean | undefined;
  /** Extra Node.js flags for the client process (e.g. `--tls-max-v1.2`). */
  nodeFlags?: string[] | undefined;
}

/**
 * Runs bench/client-process.ts with `job`, in a fresh process, and returns its outcome.
 *
 * @since 0.1.0
 */
export function runClientProcess(
  job: ClientJob,
  options: ClientRunOptions,
): Promise<ClientOutcome> {
  // BENCH_NODE_FLAGS (e.g. "--trace-gc"): extra flags for every client process, to diagnose.
  const extra = process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter((flag) => flag !== "") ?? [];
  // tsx runs the harness's own TypeScript. The "source" condition would also resolve the
  // @smtp packages that the built client imports (@smtp/core, @smtp/mime …) to their
  // TypeScript sources, so it is set only when the sources are what is measured.
  const loader = options.source ? TSX_ARGS : ["--import", "tsx"];
  const execArgv = [...loader, "--expose-gc", ...(options.nodeFlags ?? []), ...extra];
  // The client process profiles its timed part only (node:inspector), not start-up.
  const profile = options.cpuProfDir
    ? { BENCH_PROFILE: join(options.cpuProfDir, `${options.label}.cpuprofile`) }
    : {};
  const child: ChildProcess = fork(
    fileURLToPath(new URL("./client-process.ts", import.meta.url)),
    [JSON.stringify(job)],
    {
      cwd: ROOT,
      execArgv,
      env: { ...process.env, ...profile, BENCH_SOURCE: options.source ? "1" : "0" },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    },
  );
  // Passed through, and the tail kept for the error message of a crashed process.
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    let outcome: ClientOutcome | undefined;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${options.label}: no result after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.on("message", (message: { type?: string }) => {
      if (message.type === "warm") {
        options.onWarm().then(
          () => child.send({ type: "go" }),
          (error: unknown) => {
            child.kill();
            reject(error);
          },
        );
      } else if (message.type === "result") {
        outcome = message as ClientOutcome;
      }
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (outcome) resolve(outcome);
      else {
        reject(
          new Error(
            `${options.label}: client process exited with ${code} and no result: ${stderrTail.trim()}`,
          ),
        );
      }
    });
  });
}
