/**
 * The engine alone, in the runner's process (it is pure: no I/O, no timers), from the built
 * `dist` like the client processes (or the sources with `--source`):
 *
 * - replies parsed per second by @smtp/core's `ReplyParser`, fed one server write at a time;
 * - bytes per second through its DATA encoder (`DataEncoder`: line endings and dot-stuffing)
 *   beside a plain copy of the same chunks into a preallocated buffer, and the ratio of the
 *   two times (encoder ÷ copy) in each repetition.
 *
 * Every workload is checked before it is timed (the replies parsed back to their lines, the
 * stuffed body un-stuffed back to its input), and every timed pass must produce the checked
 * counts, so a broken engine cannot be measured as a fast one.
 */
import type { BenchConfig } from "./config.ts";
import {
  type BodyWorkload,
  bodyWorkloads,
  type ReplyWorkload,
  replyWorkloads,
  sameBytes,
  unstuff,
} from "./engine-workloads.ts";
import { table } from "./report.ts";
import { rotated } from "./run-common.ts";
import { loadCoreInternalModule } from "./smtp-modules.ts";
import { fmt, fmtSpread, groupBy, type Spread, spread } from "./stats.ts";

/** What the section uses of `@smtp/core/internal`. @since 0.2.0 */
export type EngineCore = Pick<
  Awaited<ReturnType<typeof loadCoreInternalModule>>,
  "ReplyParser" | "DataEncoder"
>;
type Core = EngineCore;

/** One timed run: passes over a workload, repeated for the configured time. @since 0.2.0 */
export interface EngineRun {
  rep: number;
  workload: string;
  op: "parse" | "stuff" | "copy";
  /** Passes over the workload and the time they took. */
  passes: number;
  ms: number;
  /** The median time of one pass over the samples (see `timed`), ms. */
  passMs: number;
  /** Replies (parse) or input bytes (stuff, copy) per second, from `passMs`. */
  perSec: number;
  /** Every pass gave the counts the check found. */
  ok: boolean;
}

/** Reply parsing over the repetitions. @since 0.2.0 */
export interface ReplyParseRow {
  workload: string;
  repliesPerSec: Spread;
  /** Reply bytes per second, MB (10⁶). */
  mbPerSec: Spread;
  linesPerReply: number;
  bytesPerWrite: number;
  verified: boolean;
}

/** Dot-stuffing beside a copy, over the repetitions. @since 0.2.0 */
export interface DotStuffRow {
  workload: string;
  chunkSize: number;
  stuffMiBps: Spread;
  copyMiBps: Spread;
  /** The encoder's time ÷ the copy's for the same bytes, same repetition (1: as fast as copying). */
  timeVsCopy: Spread;
  /** Bytes out ÷ bytes in (dot-stuffing and the terminator add bytes). */
  growth: number;
  verified: boolean;
}

/** Everything the engine section measured. @since 0.2.0 */
export interface EngineResult {
  reps: number;
  msPerRun: number;
  /** Loaded from the TypeScript sources instead of dist. */
  source: boolean;
  runs: EngineRun[];
  replies: ReplyParseRow[];
  dotStuffing: DotStuffRow[];
  problems: string[];
}

/** Counts one parse pass yields: replies, lines, and the sum of the codes. */
function parsePass(core: Core, workload: ReplyWorkload): number {
  const parser = new core.ReplyParser();
  let replies = 0;
  let lines = 0;
  let codes = 0;
  for (const chunk of workload.chunks) {
    parser.push(chunk);
    for (let parsed = parser.next(); parsed !== null; parsed = parser.next()) {
      replies++;
      lines += parsed.reply.lines.length;
      codes += parsed.reply.code;
    }
  }
  return parser.pending ? Number.NaN : fingerprint(replies, lines, codes);
}

/**
 * One integer for a parse pass's replies, lines and sum of codes, so a miscount of any
 * changes it (exact while replies < 4,000, lines < 10⁶ and the codes sum < 10⁶).
 */
function fingerprint(replies: number, lines: number, codes: number): number {
  return (replies * 1e6 + lines) * 1e6 + codes;
}

function expectedParse(workload: ReplyWorkload): number {
  const lines = workload.replies.reduce((a, r) => a + r.length, 0);
  const codes = workload.replies.reduce((a, r) => a + Number(r[0]!.slice(0, 3)), 0);
  return fingerprint(workload.replies.length, lines, codes);
}

/** Parses the stream once and compares every reply with its source lines. */
function checkParse(core: Core, workload: ReplyWorkload): string | undefined {
  const parser = new core.ReplyParser();
  const got: { code: number; raw: string[] }[] = [];
  for (const chunk of workload.chunks) {
    parser.push(chunk);
    for (let parsed = parser.next(); parsed !== null; parsed = parser.next()) {
      got.push({ code: parsed.reply.code, raw: parsed.raw });
    }
  }
  if (parser.pending) return "bytes left over after the last reply";
  if (got.length !== workload.replies.length)
    return `${got.length} replies parsed, ${workload.replies.length} sent`;
  for (let i = 0; i < got.length; i++) {
    const want = workload.replies[i]!;
    const { code, raw } = got[i]!;
    if (code !== Number(want[0]!.slice(0, 3)) || raw.join("\n") !== want.join("\n"))
      return `reply ${i} parsed as ${code} ${JSON.stringify(raw)}`;
  }
  return undefined;
}

/** Bytes one encoder pass writes (the terminator included). */
function stuffPass(core: Core, workload: BodyWorkload): number {
  const encoder = new core.DataEncoder();
  let written = 0;
  for (const chunk of workload.chunks) written += encoder.push(chunk).length;
  return written + encoder.end().length;
}

/** Encodes the body once and checks that un-stuffing the output gives the input back. */
function checkStuff(core: Core, workload: BodyWorkload): string | undefined {
  const encoder = new core.DataEncoder();
  const parts = workload.chunks.map((chunk) => Buffer.from(encoder.push(chunk)));
  parts.push(Buffer.from(encoder.end()));
  const back = unstuff(Buffer.concat(parts));
  if (typeof back === "string") return back;
  return sameBytes(back, workload.body) ? undefined : "un-stuffed output differs from the input";
}

/** Bytes one copy pass writes into `into` (as large as the body). */
function copyPass(workload: BodyWorkload, into: Uint8Array): number {
  let at = 0;
  for (const chunk of workload.chunks) {
    into.set(chunk, at);
    at += chunk.length;
  }
  return at;
}

/** Shortest stretch timed as one sample: long against the clock's resolution. */
const SAMPLE_MS = 1;

/**
 * Runs `pass` in samples of `perSample` passes until `ms` have gone by (one sample at
 * least); the time of a pass is the median over the samples, so that another process taking
 * the CPU for a while spoils a few samples, not the figure. Also whether every pass returned
 * `expected`.
 */
function timed(pass: () => number, expected: number, ms: number, perSample: number) {
  const samples: number[] = [];
  let ok = true;
  const started = performance.now();
  let elapsed = 0;
  do {
    const t0 = performance.now();
    for (let i = 0; i < perSample; i++) if (pass() !== expected) ok = false;
    const t1 = performance.now();
    samples.push((t1 - t0) / perSample);
    elapsed = t1 - started;
  } while (elapsed < ms);
  return { passes: samples.length * perSample, ms: elapsed, passMs: spread(samples).median, ok };
}

/** Repetitions of the engine section: the run's, and never fewer than 3 (they are cheap). */
function engineReps(config: BenchConfig): number {
  return Math.max(3, config.reps);
}

/**
 * Measures the engine alone for `config.engineMs` per timed run; `given` (for tests) replaces
 * the `@smtp/core/internal` it loads.
 *
 * @since 0.2.0
 */
export async function measureEngine(
  config: BenchConfig,
  given: EngineCore | undefined = undefined,
): Promise<EngineResult> {
  const core = given ?? (await loadCoreInternalModule(config.source));
  const ms = config.engineMs;
  const reps = engineReps(config);
  const problems: string[] = [];
  const runs: EngineRun[] = [];
  const failed = new Set<string>();

  const replies = replyWorkloads();
  const bodies = bodyWorkloads();
  const label = (b: BodyWorkload) => `${b.name}, ${b.chunkSize / 1024} KiB chunks`;
  const parseExpected = new Map(replies.map((w) => [w.name, expectedParse(w)]));
  const stuffExpected = new Map<string, number>();
  // A check that fails (or throws) leaves its workload out of the timing, as a problem.
  const verify = (what: string, name: string, run: () => string | undefined) => {
    let problem: string | undefined;
    try {
      problem = run();
    } catch (error) {
      problem = `threw ${String(error)}`;
    }
    if (problem !== undefined) {
      failed.add(name);
      problems.push(`engine: ${what}, ${name}: ${problem}`);
    }
  };
  for (const w of replies) verify("reply parser", w.name, () => checkParse(core, w));
  for (const w of bodies) {
    verify("DATA encoder", label(w), () => {
      const problem = checkStuff(core, w);
      stuffExpected.set(label(w), stuffPass(core, w));
      return problem;
    });
  }
  const copyInto = new Uint8Array(Math.max(...bodies.map((b) => b.body.length)));

  // Each measured step: the parse of a stream, or a body's encoder pass or copy pass.
  type Step = {
    workload: string;
    op: EngineRun["op"];
    units: number;
    pass: () => number;
    expected: number;
  };
  const parseSteps = (w: ReplyWorkload): Step[] => [
    {
      workload: w.name,
      op: "parse",
      units: w.replies.length,
      pass: () => parsePass(core, w),
      expected: parseExpected.get(w.name)!,
    },
  ];
  const bodySteps = (w: BodyWorkload, rep: number): Step[] => {
    const steps: Step[] = [
      {
        workload: label(w),
        op: "stuff",
        units: w.body.length,
        pass: () => stuffPass(core, w),
        expected: stuffExpected.get(label(w))!,
      },
      {
        workload: label(w),
        op: "copy",
        units: w.body.length,
        pass: () => copyPass(w, copyInto),
        expected: w.body.length,
      },
    ];
    // Encoder first in even repetitions, copy first in odd ones.
    return rep % 2 === 0 ? steps : steps.reverse();
  };
  const stepsOf = (rep: number) => [
    ...rotated(replies, rep)
      .filter((w) => !failed.has(w.name))
      .flatMap(parseSteps),
    ...rotated(bodies, rep)
      .filter((w) => !failed.has(label(w)))
      .flatMap((w) => bodySteps(w, rep)),
  ];

  // Warm-up: every step for half the time, so the timed runs see optimised code; it also
  // finds how many passes make a sample of SAMPLE_MS.
  const perSample = new Map<string, number>();
  for (const step of stepsOf(0)) {
    const t = timed(step.pass, step.expected, ms / 2, 1);
    perSample.set(`${step.op}|${step.workload}`, Math.max(1, Math.ceil(SAMPLE_MS / t.passMs)));
  }
  for (let rep = 0; rep < reps; rep++) {
    for (const step of stepsOf(rep)) {
      const t = timed(step.pass, step.expected, ms, perSample.get(`${step.op}|${step.workload}`)!);
      if (!t.ok) problems.push(`engine: ${step.op} ${step.workload}: a timed pass miscounted`);
      runs.push({
        rep,
        workload: step.workload,
        op: step.op,
        passes: t.passes,
        ms: t.ms,
        passMs: t.passMs,
        perSec: step.units / (t.passMs / 1000),
        ok: t.ok,
      });
    }
  }

  const replyRows = replies.map((w): ReplyParseRow => {
    const mine = runs.filter((r) => r.workload === w.name);
    return {
      workload: w.name,
      repliesPerSec: spread(mine.map((r) => r.perSec)),
      mbPerSec: spread(mine.map((r) => (r.perSec * w.bytes) / w.replies.length / 1e6)),
      linesPerReply: w.replies.reduce((a, r) => a + r.length, 0) / w.replies.length,
      bytesPerWrite: w.bytes / w.chunks.length,
      verified: !failed.has(w.name) && mine.length > 0 && mine.every((r) => r.ok),
    };
  });
  const stuffRows = bodies.map((w): DotStuffRow => {
    const mine = runs.filter((r) => r.workload === label(w));
    const byRep = groupBy(mine, (r) => String(r.rep));
    const ratios = byRep.flatMap((group) => {
      const stuff = group.find((r) => r.op === "stuff");
      const copy = group.find((r) => r.op === "copy");
      return stuff && copy ? [copy.perSec / stuff.perSec] : [];
    });
    const mib = (op: EngineRun["op"]) =>
      spread(mine.filter((r) => r.op === op).map((r) => r.perSec / 2 ** 20));
    return {
      workload: w.name,
      chunkSize: w.chunkSize,
      stuffMiBps: mib("stuff"),
      copyMiBps: mib("copy"),
      timeVsCopy: spread(ratios),
      growth: (stuffExpected.get(label(w)) ?? Number.NaN) / w.body.length,
      verified: !failed.has(label(w)) && mine.length > 0 && mine.every((r) => r.ok),
    };
  });
  return {
    reps,
    msPerRun: ms,
    source: config.source,
    runs,
    replies: replyRows,
    dotStuffing: stuffRows,
    problems,
  };
}

const check = (verified: boolean) => (verified ? "✓" : "✗");

/** The two Markdown tables: reply parsing, and dot-stuffing beside a copy. @since 0.2.0 */
export function engineTables(result: EngineResult): string {
  const parse = table(
    ["replies", "lines/reply", "bytes/write", "replies/s", "MB/s", "ns/reply", "verified"],
    result.replies.map((r) => [
      r.workload,
      fmt(r.linesPerReply, 0),
      fmt(r.bytesPerWrite, 0),
      fmtSpread(r.repliesPerSec, 0),
      fmtSpread(r.mbPerSec, 1),
      fmt(1e9 / r.repliesPerSec.median, 0),
      check(r.verified),
    ]),
  );
  const stuff = table(
    [
      "body (1 MiB)",
      "chunk",
      "DataEncoder MiB/s",
      "copy MiB/s",
      "encoder time ÷ copy time",
      "bytes out ÷ in",
      "verified",
    ],
    result.dotStuffing.map((r) => [
      r.workload,
      `${r.chunkSize / 1024} KiB`,
      fmtSpread(r.stuffMiBps, 0),
      fmtSpread(r.copyMiBps, 0),
      fmtSpread(r.timeVsCopy, 0),
      fmt(r.growth, 3),
      check(r.verified),
    ]),
  );
  return `${parse}\n\n${stuff}`;
}
