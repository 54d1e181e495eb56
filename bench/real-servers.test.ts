import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type RealServerRun,
  realServerTable,
  realTargets,
  summarizeRealServers,
} from "./real-servers.ts";

describe("realTargets", () => {
  it("reads Postfix's and Exim's env files; smtp-server is the sink; a missing file says what to run", async () => {
    const state = await mkdtemp(join(tmpdir(), "bench-targets-"));
    try {
      await writeFile(
        join(state, "env"),
        "SMTP_PLAIN_PORT=12526\nSMTP_USER=u@example.test\nSMTP_PASS=p\n",
      );
      await mkdir(join(state, "interop", "exim"), { recursive: true });
      await writeFile(join(state, "interop", "exim", "env"), "EXIM_PORT=23525\n");
      const targets = await realTargets(["postfix", "exim", "smtp-server"], 4000, {
        SMTP_STATE: state,
      });
      expect(targets.map((t) => [t.name, t.port, t.to, t.auth?.user, t.isSink])).toEqual([
        ["postfix", 12526, ["bench@elsewhere.test"], "u@example.test", false],
        ["exim", 23525, ["bench@discard.test"], undefined, false],
        ["smtp-server", 4000, ["rcpt1@bench.test"], undefined, true],
      ]);
      await expect(realTargets(["exim"], 1, { SMTP_STATE: join(state, "none") })).rejects.toThrow(
        /missing: run bash interop\/peers\/setup.sh/,
      );
    } finally {
      await rm(state, { recursive: true });
    }
  });
});

describe("summarizeRealServers", () => {
  const run = (
    client: RealServerRun["client"],
    rep: number,
    msgsPerSec: number,
  ): RealServerRun => ({
    rep,
    server: "exim",
    client,
    maxInFlight: client.startsWith("smtp") ? 32 : undefined,
    library: client.startsWith("smtp") ? "smtp" : "nodemailer",
    delayMs: 20,
    n: 10,
    sent: 10,
    failed: 0,
    wallMs: 1000,
    msgsPerSec,
    rttPerMsg: 1,
    measuredRttPerMsg: 0.95,
    waitsPerMsg: 1,
    writesPerMsg: 1,
    cpuUsPerMsg: 100,
    connections: 1,
    problems: [],
  });

  it("takes @smtp ÷ nodemailer within each repetition, then the median", () => {
    const runs = [
      run("smtp-pool1", 0, 50),
      run("nm-pool1", 0, 10),
      run("smtp-pool1", 1, 60),
      run("nm-pool1", 1, 10),
    ];
    const [ours, theirs] = summarizeRealServers(runs);
    expect(ours?.speedRatio).toMatchObject({ median: 5.5, min: 5, max: 6 });
    expect(theirs?.speedRatio.n).toBe(0);
    expect(realServerTable([ours!, theirs!])).toContain(
      "| exim | 40 | @smtp pool 1, window 32 | 55.0 (50.0–60.0) | 5.50 (5.00–6.00) |",
    );
  });
});
