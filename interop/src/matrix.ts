/** Runs every cell against every server and collects the outcomes. */
import type { Capabilities } from "../../packages/client/src/index.ts";
import { saveCapture } from "./captures.ts";
import { allCells, type Cell } from "./cells/index.ts";
import { describeError } from "./checks.ts";
import { CellContext } from "./context.ts";
import { type CellOutcome, fail, notApplicable } from "./outcome.ts";
import { probe } from "./probe.ts";
import type { MissingServer, ServerId, ServerProfile } from "./servers.ts";

/** How to run the matrix. @since 0.1.0 */
export interface MatrixOptions {
  /** A missing server fails every cell (CI) instead of being skipped. */
  missingIsFailure: boolean;
  /** Only these cells (ids), when given. */
  onlyCells: readonly string[] | undefined;
  /** Servers whose cells run at the same time. */
  concurrency: number;
  /** Where failed cells' conversations go; `undefined`: nowhere. */
  capturesFolder: string | undefined;
  /** Tags every Message-ID, so that runs and other suites sharing a mailbox never mix. */
  runId: string;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

/** One column of the table. @since 0.1.0 */
export interface ServerColumn {
  id: ServerId;
  label: string;
  /** Why the server could not be tested at all, if so. */
  unavailable: string | undefined;
}

/** The result of a run. @since 0.1.0 */
export interface MatrixResult {
  columns: ServerColumn[];
  cells: Cell[];
  /** outcomes.get(cellId)?.get(serverId) */
  outcomes: Map<string, Map<ServerId, CellOutcome>>;
  /** Capture files written, by cell and server id (`<cell>/<server>`). */
  captures: Map<string, string>;
  durationMs: number;
}

const CELL_DEADLINE_MS = 180_000;

/** Runs `cell.run`, bounded in time; an exception or the deadline becomes a failure. */
async function runBounded(cell: Cell, ctx: CellContext): Promise<CellOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CellOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve(fail(`no outcome after ${CELL_DEADLINE_MS / 1000} s`)),
      CELL_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([
      cell.run(ctx).catch((e: unknown) => fail(`threw ${describeError(e)}`)),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    // Bounded too: close() lets sends in flight finish.
    await Promise.race([ctx.closeAll(), new Promise((r) => setTimeout(r, 10_000))]);
  }
}

function isMissing(server: ServerProfile | MissingServer): server is MissingServer {
  return "reason" in server;
}

/**
 * Runs the matrix over `servers`.
 *
 * @since 0.1.0
 */
export async function runMatrix(
  servers: readonly (ServerProfile | MissingServer)[],
  options: MatrixOptions,
): Promise<MatrixResult> {
  const started = Date.now();
  const capabilities = new Map<ServerId, Capabilities | { error: string }>();
  await Promise.all(
    servers
      .filter((s) => !isMissing(s))
      .map(async (s) => capabilities.set(s.id, await probe(s as ServerProfile))),
  );
  const mechanisms = [
    ...new Set([...capabilities.values()].flatMap((c) => ("error" in c ? [] : c.auth))),
  ].sort();
  const cells = allCells(mechanisms).filter((c) => options.onlyCells?.includes(c.id) ?? true);
  const outcomes = new Map(cells.map((c) => [c.id, new Map<ServerId, CellOutcome>()]));
  const captures = new Map<string, string>();

  /** Why a server cannot be tested at all (not set up, or its probe failed), if so. */
  const unavailableOf = (server: ServerProfile | MissingServer): string | undefined => {
    if (isMissing(server)) return server.reason;
    const caps = capabilities.get(server.id);
    return caps === undefined || "error" in caps
      ? `unreachable: ${caps?.error ?? "no probe"}`
      : undefined;
  };
  const columns: ServerColumn[] = servers.map((server) => ({
    id: server.id,
    label: isMissing(server) ? server.id : server.label,
    unavailable: unavailableOf(server),
  }));

  const runServer = async (server: ServerProfile | MissingServer) => {
    const unavailable = unavailableOf(server);
    for (const cell of cells) {
      const record = (o: CellOutcome) => outcomes.get(cell.id)!.set(server.id, o);
      const caps = capabilities.get(server.id);
      if (unavailable !== undefined || isMissing(server) || caps === undefined || "error" in caps) {
        const why = unavailable ?? "unavailable";
        record(options.missingIsFailure ? fail(why) : notApplicable(`skipped: ${why}`));
        continue;
      }
      if (!cell.protocols.includes(server.protocol)) {
        record(notApplicable(`${server.protocol.toUpperCase()} server`));
        continue;
      }
      const ctx = new CellContext(server, caps, options.runId, cell.id);
      const t0 = Date.now();
      const outcome = await runBounded(cell, ctx);
      record(outcome);
      const why = "reason" in outcome ? ` (${outcome.reason})` : "";
      options.log(`${server.id} ${cell.id}: ${outcome.status}${why} ${Date.now() - t0} ms`);
      if (outcome.status === "fail" && options.capturesFolder !== undefined) {
        captures.set(
          `${cell.id}/${server.id}`,
          await saveCapture(options.capturesFolder, cell, ctx, outcome),
        );
      }
    }
  };

  const queue = [...servers];
  const workers = Array.from({ length: Math.max(1, options.concurrency) }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await runServer(next);
  });
  await Promise.all(workers);
  return { columns, cells, outcomes, captures, durationMs: Date.now() - started };
}
