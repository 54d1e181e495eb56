import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENTS, quickConfig } from "./config.ts";
import { clientLabel } from "./report.ts";
import { runBench } from "./run.ts";

// Smoke test of the benchmark itself: it must finish, both clients must deliver every
// message intact, and the report must have every row. It asserts no speed at all.
describe("pnpm bench --quick (tiny N)", () => {
  it("delivers every message with both clients and reports every row", async () => {
    const jsonPath = join(tmpdir(), `smtp-bench-smoke-${process.pid}.json`);
    const config = {
      ...quickConfig(),
      n: 12,
      nDelayed: 6,
      delays: [0, 2],
      recipients: [2],
      sizesMiB: [1],
      throttleMiBps: 64,
      throttleSizeMiB: 1,
      encodeOnly: false,
      coldRuns: 1,
      engineMs: 5,
      sample: 4,
      jsonPath,
      verbose: false,
    };
    try {
      const result = await runBench(config);
      expect(result.problems).toEqual([]);

      expect(result.throughput.runs).toHaveLength(CLIENTS.length * 2);
      for (const run of result.throughput.runs) {
        expect(run.failed).toBe(0);
        expect(run.sent).toBe(run.delayMs > 0 ? 6 : 12);
        expect(run.sinkMessages).toBe(run.sent);
        expect(run.checked).toBeGreaterThan(0);
        expect(run.commandsPerMsg).toBeGreaterThanOrEqual(4); // MAIL, 2 × RCPT, DATA
        expect(run.msgsPerSec).toBeGreaterThan(0);
      }
      const cells = result.throughput.summary.map(
        (r) => `${r.delayMs}/${r.recipients}/${r.client}`,
      );
      expect(cells.sort()).toEqual(CLIENTS.flatMap((c) => [`0/2/${c}`, `2/2/${c}`]).sort());
      // Ratios (to nodemailer) exist on the @smtp and raw rows only, and the proxy saw the client's waits.
      for (const row of result.throughput.summary) {
        expect(Number.isNaN(row.speedRatio.median)).toBe(row.client.startsWith("nm-"));
        if (row.delayMs > 0) expect(row.waitsPerMsg.median).toBeGreaterThan(0);
      }

      const cases = result.attachments.summary.map((r) => `${r.case}/${r.client}`);
      // Every source beside nodemailer; the raw client sends the unsigned cases only.
      const sources = ["1 MiB Uint8Array", "1 MiB file path", "1 MiB file stream"];
      const unsigned = sources.flatMap((c) => [c, `${c}, sink 64 MiB/s`]);
      const signed = ["1 MiB Uint8Array, DKIM-signed", "1 MiB file stream, DKIM-signed"];
      expect(cases.sort()).toEqual(
        [
          ...unsigned.flatMap((c) => [`${c}/smtp-pool1`, `${c}/nm-pool1`, `${c}/raw-pool1`]),
          ...signed.flatMap((c) => [`${c}/smtp-pool1`, `${c}/nm-pool1`]),
        ].sort(),
      );
      for (const run of result.attachments.runs) {
        expect(run.ok).toBe(true);
        expect(run.checked).toBe(1);
        expect(run.dkimChecked).toBe(run.dkim ? 1 : 0);
        expect(run.messageBytes).toBeGreaterThan(1024 * 1024);
      }
      // Both clients' signatures verified; each signed run is paired with its unsigned twin.
      expect(result.dkim.map((r) => `${r.case}/${r.client}`).sort()).toEqual(
        ["1 MiB Uint8Array", "1 MiB file stream"]
          .flatMap((c) => [`${c}/smtp-pool1`, `${c}/nm-pool1`])
          .sort(),
      );
      for (const row of result.dkim) expect(row.wallRatio.n).toBe(1);

      // nodemailer is always there; @smtp needs a build (pnpm build) for its cold start.
      const cold = result.coldStart?.rows.map((r) => r.library) ?? [];
      expect(cold).toContain("nodemailer");
      expect(cold.length + (result.coldStart?.skipped.length ?? 0)).toBe(2);

      // The engine alone: every row measured, verified, with numbers (no speed asserted).
      const engine = result.engine;
      expect(engine?.reps).toBe(3);
      expect(engine?.replies.map((r) => r.linesPerReply)).toEqual([1, 12]);
      for (const row of engine?.replies ?? []) {
        expect(row.verified).toBe(true);
        expect(row.repliesPerSec.n).toBe(3);
        expect(row.repliesPerSec.min).toBeGreaterThan(0);
      }
      expect(engine?.dotStuffing).toHaveLength(4);
      for (const row of engine?.dotStuffing ?? []) {
        expect(row.verified).toBe(true);
        expect(row.timeVsCopy.n).toBe(3);
        expect(row.timeVsCopy.min).toBeGreaterThan(0);
        expect(row.stuffMiBps.min).toBeGreaterThan(0);
        expect(row.copyMiBps.min).toBeGreaterThan(0);
        // Stuffing adds a dot per line on the dotted body, only the terminator on the text.
        if (row.workload === "text") expect(row.growth).toBeLessThan(1.001);
        else expect(row.growth).toBeGreaterThan(1.01);
      }
      expect(result.markdown).toContain("| replies | lines/reply |");
      expect(result.markdown).toContain("| body (1 MiB) | chunk | DataEncoder MiB/s |");

      for (const client of CLIENTS) expect(result.markdown).toContain(clientLabel(client));
      expect(result.markdown).toContain("| D ms | R | client | msgs/s |");
      expect(result.markdown).toContain("| case | client | wall s |");
      expect(result.markdown).toContain("| case | client | signed wall s | unsigned wall s |");
      expect(existsSync(jsonPath)).toBe(true);
    } finally {
      await rm(jsonPath, { force: true });
    }
  }, 120_000);
});
