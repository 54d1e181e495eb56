import { describe, expect, it } from "vitest";
import {
  compareRatios,
  extractRatios,
  formatCheck,
  medianRatios,
  type RunJson,
  regressed,
} from "./check.ts";
import { parseCheckArgs } from "./check-run.ts";

const m = (median: number | null) => ({ median });

describe("regressed (20 %)", () => {
  it("higher is better: worse means below 80 % of the reference", () => {
    expect(regressed(2, 1.6, "higher", 0.2)).toBe(false); // exactly 20 % worse
    expect(regressed(2, 1.61, "higher", 0.2)).toBe(false); // just under
    expect(regressed(2, 1.59, "higher", 0.2)).toBe(true); // just over
    expect(regressed(2, 5, "higher", 0.2)).toBe(false);
  });

  it("lower is better: worse means above 120 % of the reference", () => {
    expect(regressed(0.5, 0.6, "lower", 0.2)).toBe(false); // exactly 20 % worse
    expect(regressed(0.5, 0.599, "lower", 0.2)).toBe(false);
    expect(regressed(0.5, 0.601, "lower", 0.2)).toBe(true);
    expect(regressed(0.5, 0.1, "lower", 0.2)).toBe(false);
  });

  it("takes the threshold it is given", () => {
    expect(regressed(1, 0.89, "higher", 0.1)).toBe(true);
    expect(regressed(1, 0.91, "higher", 0.1)).toBe(false);
  });
});

describe("compareRatios", () => {
  const ref = {
    speed: { value: 2, better: "higher" as const },
    cpu: { value: 0.5, better: "lower" as const },
    gone: { value: 1, better: "lower" as const },
  };

  it("marks regressions and improvements beyond 20 % in each direction, the rest ok", () => {
    const rows = compareRatios(ref, [
      { key: "speed", value: 1.59, better: "higher" },
      { key: "cpu", value: 0.39, better: "lower" },
    ]);
    expect(rows.map((r) => [r.key, r.status])).toEqual([
      ["speed", "regressed"],
      ["cpu", "improved"],
      ["gone", "missing"],
    ]);
    expect(rows[0]!.change).toBeCloseTo(0.795);
    const steady = compareRatios(ref, [
      { key: "speed", value: 1.6, better: "higher" },
      { key: "cpu", value: 0.6, better: "lower" },
    ]);
    expect(steady.slice(0, 2).map((r) => r.status)).toEqual(["ok", "ok"]);
    const worse = compareRatios(ref, [
      { key: "speed", value: 2.5, better: "higher" },
      { key: "cpu", value: 0.61, better: "lower" },
    ]);
    expect(worse.slice(0, 2).map((r) => r.status)).toEqual(["improved", "regressed"]);
  });

  it("a ratio missing from the run, or unusable in the reference, is missing; one only in the run is new", () => {
    const rows = compareRatios({ ...ref, broken: { value: 0, better: "higher" } }, [
      { key: "broken", value: 1, better: "higher" },
      { key: "fresh", value: 3, better: "higher" },
    ]);
    expect(rows.map((r) => [r.key, r.status])).toEqual([
      ["speed", "missing"],
      ["cpu", "missing"],
      ["gone", "missing"],
      ["broken", "missing"],
      ["fresh", "new"],
    ]);
    expect(compareRatios({}, [])).toEqual([]);
  });

  it("prints one warning line per regression and a summary", () => {
    const rows = compareRatios(ref, [
      { key: "speed", value: 1, better: "higher" },
      { key: "cpu", value: 1, better: "lower" },
      { key: "fresh", value: 3, better: "higher" },
    ]);
    const lines = formatCheck(rows, 0.2);
    const warnings = lines.filter((l) => l.startsWith("warning:"));
    expect(warnings).toEqual([
      "warning: speed regressed: 2.00 → 1.00 (−50 %; higher is better)",
      "warning: cpu regressed: 0.50 → 1.00 (+100 %; lower is better)",
    ]);
    expect(lines).toContain("missing  gone: 1.00 → –");
    expect(lines).toContain("new      fresh: – → 3.00");
    expect(lines.at(-1)).toBe(
      "2 ratios compared with the reference: 2 regressed by more than 20 %, 0 improved by more; 1 missing from this run, 1 new.",
    );
  });
});

describe("extractRatios", () => {
  const run: RunJson = {
    throughput: {
      summary: [
        { delayMs: 0, recipients: 1, client: "smtp-pool1", speedRatio: m(2.1), cpuRatio: m(0.5) },
        { delayMs: 0, recipients: 1, client: "nm-pool1", speedRatio: m(null), cpuRatio: m(null) },
        { delayMs: 0, recipients: 1, client: "raw-pool1", speedRatio: m(5), cpuRatio: m(0.2) },
      ],
    },
    attachments: {
      summary: [
        { case: "8 MiB Uint8Array", client: "smtp-pool1", wallRatio: m(0.4) },
        { case: "8 MiB Uint8Array", client: "nm-pool1", wallRatio: m(null) },
      ],
    },
    engine: {
      dotStuffing: [
        {
          workload: "text",
          chunkSize: 65536,
          timeVsCopy: { median: 40, min: 30, max: 50, n: 3 },
          stuffMiBps: { median: 500, min: 400, max: 600, n: 3 },
          copyMiBps: { median: 20000, min: 20000, max: 20000, n: 3 },
          growth: 1,
          verified: true,
        },
      ],
    },
    coldStart: {
      rows: [
        { library: "@smtp/client", firstImportMs: m(20) },
        { library: "nodemailer", firstImportMs: m(40) },
      ],
    },
    tls: {
      summary: [
        { delayMs: 20, tls: "1.3", client: "smtp-resume", vsFull: m(0.7), vsNodemailer: m(0.6) },
        { delayMs: 20, tls: "1.3", client: "nodemailer", vsFull: m(1.4), vsNodemailer: m(null) },
      ],
    },
  };

  it("takes @smtp's ratios (not the raw client's), the engine's, cold start's and TLS resumption's, each with its direction", () => {
    expect(extractRatios(run).map((r) => [r.key, r.value, r.better])).toEqual([
      ["throughput D=0 R=1 @smtp pool 1: × nm msgs/s", 2.1, "higher"],
      ["throughput D=0 R=1 @smtp pool 1: × nm CPU", 0.5, "lower"],
      ["attachment 8 MiB Uint8Array @smtp pool 1: × nm wall", 0.4, "lower"],
      ["engine DATA encoder, text, 64 KiB chunks: encoder time ÷ copy time", 40, "lower"],
      ["cold start @smtp/client: first import in-process × nodemailer's", 0.5, "lower"],
      ["TLS 1.3 RTT 40 ms, @smtp set-up with resumption: × without resumption", 0.7, "lower"],
      ["TLS 1.3 RTT 40 ms, @smtp set-up with resumption: × nodemailer", 0.6, "lower"],
    ]);
  });

  it("leaves out what was not measured: null medians, absent sections, a lone cold-start row", () => {
    expect(extractRatios({})).toEqual([]);
    expect(extractRatios({ engine: null, coldStart: null })).toEqual([]);
    const partial: RunJson = {
      throughput: {
        summary: [
          {
            delayMs: 5,
            recipients: 1,
            client: "smtp-pool5",
            speedRatio: m(null),
            cpuRatio: m(0.4),
          },
        ],
      },
      coldStart: { rows: [{ library: "nodemailer", firstImportMs: m(40) }] },
    };
    expect(extractRatios(partial).map((r) => r.key)).toEqual([
      "throughput D=5 R=1 @smtp pool 5: × nm CPU",
    ]);
  });
});

describe("medianRatios", () => {
  it("takes each ratio's median over the runs that have it", () => {
    const run = (speed: number, extra?: number) => [
      { key: "speed", value: speed, better: "higher" as const },
      ...(extra === undefined ? [] : [{ key: "extra", value: extra, better: "lower" as const }]),
    ];
    expect(medianRatios([run(1, 5), run(3), run(2, 7)])).toEqual([
      { key: "speed", value: 2, better: "higher" },
      { key: "extra", value: 6, better: "lower" },
    ]);
    expect(medianRatios([])).toEqual([]);
  });
});

describe("parseCheckArgs", () => {
  it("defaults to a 20 % threshold, warnings only, the committed reference", () => {
    const options = parseCheckArgs([]);
    if (options === "help") throw new Error("unexpected help");
    expect(options).toMatchObject({
      json: [],
      runs: 1,
      update: false,
      strict: false,
      threshold: 0.2,
    });
    expect(options.baseline).toMatch(/bench\/baseline\.json$/);
  });

  it("reads --json, --update, --strict, --baseline and --threshold; refuses the unknown", () => {
    const options = parseCheckArgs([
      "--json=run.json",
      "--json",
      "run2.json",
      "--strict",
      "--update",
      "--baseline",
      "b.json",
      "--threshold",
      "10",
    ]);
    expect(options).toEqual({
      json: ["run.json", "run2.json"],
      runs: 1,
      update: true,
      strict: true,
      baseline: "b.json",
      threshold: 0.1,
    });
    expect(parseCheckArgs(["--help"])).toBe("help");
    expect(() => parseCheckArgs(["--quick"])).toThrow(/unknown option --quick/);
    expect(() => parseCheckArgs(["--threshold", "-5"])).toThrow(/--threshold/);
    expect(() => parseCheckArgs(["--json"])).toThrow(/needs a value/);
    expect(parseCheckArgs(["--runs", "3"])).toMatchObject({ runs: 3, json: [] });
    expect(() => parseCheckArgs(["--runs", "0"])).toThrow(/--runs/);
    expect(() => parseCheckArgs(["--runs", "2", "--json", "a.json"])).toThrow(/one or the other/);
  });
});
