// `pnpm test:mutation [core|mime|client]… [--part NAME]… [--mutate FILE[:LINES]]…
//    [--concurrency N] [--fresh]`
//
// Mutation testing with StrykerJS and its vitest runner, one target at a time (the machine
// is small: a whole-repository run takes hours). Each target mutates its sources and runs
// only its own package's tests, in parts (one Stryker run each; --part runs only those
// named, --mutate only the given files of the parts that own them). In reports/mutation/:
//   <part>.incremental.json    every mutant's last verdict; the next run re-tests only what
//                              changed since (--fresh starts over). A --mutate run merges
//                              its files into it.
//   <part>.html                Stryker's report of the part's last run
//   <target>.md                the per-file table and the surviving mutants of all its parts
// The run fails when a target's score is under its floor. docs/mutation-testing.md holds
// the measured scores and why each remaining survivor is equivalent.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { Stryker } from "@stryker-mutator/core";

const root = join(import.meta.dirname, "..");
const reports = join(root, "reports/mutation");

const NOT_CODE = ["!**/*.test.ts", "!**/*.test-util.ts", "!**/*.d.ts"];

/** The vitest files under `dir` (relative to the root), runtime-specific folders left out. */
function testsUnder(dir, skip = () => false) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((file) => !/(^|\/)(deno|bun|node_modules)\//.test(file) && !skip(file))
    .sort();
}

/**
 * The source files of `target` (relative to the root) that `part` mutates: those it is the
 * first part to own. A later part's `owns` may be broad ("the rest"); the files of the parts
 * before it are not its own.
 */
function sourcesOf(target, part) {
  return readdirSync(join(root, target.dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /(?<!\.test|\.test-util|\.d)\.ts$/.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((file) => ownerOf(target, file) === part)
    .sort();
}

const coreTests = () => testsUnder("packages/core");
const mimeTests = () => testsUnder("packages/mime");

/**
 * What each target mutates, in parts, the tests that may kill each part's mutants, and the
 * target's floor (%). A part is one Stryker run with its own incremental file (its verdicts
 * are kept as soon as it ends: a whole target takes hours here); the target's score counts
 * the mutants of all its parts. A file belongs to the first part that owns it.
 */
const TARGETS = {
  core: {
    dir: "packages/core/src",
    parts: [
      { name: "core-sasl", owns: (file) => /\/(sasl|internal)\//.test(file), testFiles: coreTests },
      { name: "core-replay", owns: (file) => file.includes("/replay/"), testFiles: coreTests },
      {
        name: "core-transport-kit",
        owns: (file) => file.includes("/transport-kit/"),
        testFiles: coreTests,
      },
      {
        name: "core-setup",
        owns: (file) =>
          /\/src\/(session|session-link|setup-machine|setup-table|state|drain-session)\.ts$/.test(
            file,
          ),
        testFiles: coreTests,
      },
      {
        name: "core-transaction",
        owns: (file) =>
          /\/src\/(transaction|transaction-machine|transaction-table|job-results|body-writer|body-copy-limit|extensions)\.ts$/.test(
            file,
          ),
        testFiles: coreTests,
      },
      // The rest but the hashes: replies, commands, DATA encoding, capabilities, errors.
      { name: "core-wire", owns: (file) => !file.includes("/crypto/"), testFiles: coreTests },
      // The hashes run thousands of rounds per SCRAM exchange: instrumented, one replay of
      // the SCRAM transcript at every offset takes minutes, one PBKDF2 vector too. Their
      // mutants are judged by their own known-answer tests only, with room to run.
      {
        name: "core-crypto",
        owns: () => true,
        testFiles: () => testsUnder("packages/core/src/crypto"),
        testTimeout: 600_000,
      },
    ],
    floor: 85,
  },
  mime: {
    dir: "packages/mime/src",
    parts: [
      {
        name: "mime-encoding",
        owns: (file) =>
          /\/src\/(base64|quoted-printable|encoded-word|header-fold|punycode|line-ends|text|decode|parameters|date|msg-id|media-types|data-url)\.ts$/.test(
            file,
          ),
        testFiles: mimeTests,
      },
      {
        name: "mime-addresses",
        owns: (file) =>
          /\/src\/(address|address-parser|domain|envelope|list-headers|header-values|extra-headers)\.ts$/.test(
            file,
          ),
        testFiles: mimeTests,
      },
      // The message's structure, its parts and their output.
      { name: "mime-structure", owns: () => true, testFiles: mimeTests },
    ],
    floor: 80,
  },
  // The client's pool, its connections and the driving loop; the rest of the client is
  // option plumbing.
  client: {
    dir: "packages/client/src",
    parts: [
      {
        name: "client",
        owns: (file) => /\/src\/(pool|connection|drive|waiter|in-flight)\.ts$/.test(file),
        // Not the Postfix suites (they skip without the peer) nor the one that runs Deno.
        testFiles: () =>
          testsUnder("packages/client", (file) => /\/(postfix|deno-)[^/]*$/.test(file)),
      },
    ],
    floor: 80,
  },
};

/** The part of `target` that mutates `file` (a path given to --mutate, maybe with a range). */
function ownerOf(target, file) {
  return target.parts.find((part) => part.owns(file.replace(/:[\d-]+(:[\d-]+)?$/, "")));
}

/** The parts of `target` a run covers: all, those named by --part, or those owning a --mutate file. */
function partsToRun(target, mutate, names) {
  return target.parts.filter(
    (part) =>
      (!names || names.includes(part.name)) &&
      (!mutate || mutate.some((file) => ownerOf(target, file) === part)),
  );
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mutate: { type: "string", multiple: true },
    part: { type: "string", multiple: true },
    concurrency: { type: "string", default: "2" },
    fresh: { type: "boolean", default: false },
  },
});
const names = positionals.length > 0 ? positionals : Object.keys(TARGETS);
for (const name of names) {
  if (!(name in TARGETS)) {
    console.error(`unknown target "${name}": one of ${Object.keys(TARGETS).join(", ")}`);
    process.exit(2);
  }
}
if (values.mutate && names.length !== 1) {
  console.error("--mutate narrows one target: name exactly one");
  process.exit(2);
}

// Mutation runs never use the Postfix peer: its tests skip, whatever the shell has set.
for (const key of Object.keys(process.env)) if (key.startsWith("SMTP_")) delete process.env[key];

mkdirSync(reports, { recursive: true });
process.chdir(root);
let failed = false;
for (const name of names) {
  const target = TARGETS[name];
  for (const part of partsToRun(target, values.mutate, values.part)) {
    try {
      await runPart(target, part);
    } catch (error) {
      // The other parts still run; this one keeps its last verdicts, if any.
      console.error(`part ${part.name} failed: ${error?.message ?? error}`);
      failed = true;
    }
  }
  const measured = target.parts.filter((part) => existsSync(incrementalFile(part)));
  const summary = summarise(measured.map((part) => readJson(incrementalFile(part))));
  const missing = target.parts.filter((part) => !measured.includes(part)).map((p) => p.name);
  const note = missing.length > 0 ? `\nNot measured yet: ${missing.join(", ")}.\n` : "";
  writeFileSync(join(reports, `${name}.md`), summary.markdown + note);
  console.log(`\n${name}: ${summary.score.toFixed(2)} % (floor ${target.floor} %)${note}`);
  console.log(`per file and survivors: ${relative(root, join(reports, `${name}.md`))}`);
  if (summary.score < target.floor || missing.length > 0) failed = true;
}
process.exit(failed ? 1 : 0);

/** One Stryker run over `part`, its verdicts kept in reports/mutation/<part>.incremental.json. */
function incrementalFile(part) {
  return join(reports, `${part.name}.incremental.json`);
}

async function runPart(target, part) {
  const whole = incrementalFile(part);
  const partial = values.mutate ? join(reports, `${part.name}.partial.json`) : undefined;
  if (values.fresh) rmSync(whole, { force: true });
  else if (!values.mutate && existsSync(whole)) forgetUndetectedStatic(whole);
  if (partial) {
    rmSync(partial, { force: true });
    if (existsSync(whole)) copyFileSync(whole, partial);
  }
  process.env.MUTATION_TEST_FILES = JSON.stringify(part.testFiles());
  if (part.testTimeout) process.env.MUTATION_TEST_TIMEOUT = String(part.testTimeout);
  else delete process.env.MUTATION_TEST_TIMEOUT;
  await new Stryker({
    plugins: ["@stryker-mutator/vitest-runner"],
    testRunner: "vitest",
    // The part's tests go to scripts/mutation.vitest.config.ts, not to Stryker (see there).
    vitest: { configFile: "scripts/mutation.vitest.config.ts", related: false },
    // TypeScript 7 has no compiler API for Stryker to read a tsconfig with: name none.
    tsconfigFile: "stryker-has-no-tsconfig.json",
    // In place: workspace packages resolve through pnpm's symlinks to the real sources,
    // which a sandbox copy would not see mutated. Stryker restores every file when it ends.
    inPlace: true,
    mutate: values.mutate
      ? [...values.mutate.filter((file) => ownerOf(target, file) === part), ...NOT_CODE]
      : sourcesOf(target, part),
    coverageAnalysis: "perTest",
    concurrency: Number(values.concurrency),
    incremental: true,
    // A --mutate run is a close look: every mutant of its files again (Stryker reuses the
    // verdict of a module-level mutant even when a test that could kill it was added).
    force: Boolean(values.mutate),
    incrementalFile: partial ?? whole,
    reporters: ["clear-text", "html", "progress"],
    htmlReporter: { fileName: join(reports, `${part.name}.html`) },
    clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true },
    thresholds: { high: 95, low: 80, break: null },
    // Over the covering tests' own time (x1.5): an endless loop costs this much per mutant.
    timeoutMS: 5_000,
    tempDirName: ".stryker-tmp",
  }).runMutationTest();

  if (partial) {
    const merged = existsSync(whole)
      ? merge(readJson(whole), readJson(partial))
      : readJson(partial);
    writeFileSync(whole, JSON.stringify(merged, null, 2));
    rmSync(partial);
  }
}

/**
 * Stryker's incremental mode keeps a module-level ("static") mutant's verdict while the one
 * test it lists as covering it is unchanged, even when tests that could kill it were added
 * since: an undetected static mutant would stay a survivor for ever. Its verdict is dropped
 * so the run tests it again (a detected one keeps its verdict, checked by its killing test).
 */
function forgetUndetectedStatic(file) {
  const report = readJson(file);
  let forgotten = 0;
  for (const entry of Object.values(report.files)) {
    const kept = entry.mutants.filter(
      (mutant) =>
        !(mutant.static && (mutant.status === "Survived" || mutant.status === "NoCoverage")),
    );
    forgotten += entry.mutants.length - kept.length;
    entry.mutants = kept;
  }
  if (forgotten > 0) {
    writeFileSync(file, JSON.stringify(report, null, 2));
    console.log(`${forgotten} undetected module-level mutants will be tested again`);
  }
}

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** How Stryker's incremental mode identifies a test across reports (ids are per report). */
function testKey(file, test) {
  const at = test.location?.start;
  return `${file}@${at ? `${at.line}:${at.column}` : ""}\n${test.name}`;
}

/**
 * The whole report with the files of a narrower run replaced by that run's verdicts. Test
 * ids differ between reports: the older files' references are mapped through the tests'
 * identities to the newer ids (the newer run ran every test of the target).
 */
function merge(older, newer) {
  const keyOfOldId = new Map();
  for (const [file, { tests }] of Object.entries(older.testFiles ?? {}))
    for (const test of tests) keyOfOldId.set(test.id, testKey(file, test));
  const newIdOfKey = new Map();
  for (const [file, { tests }] of Object.entries(newer.testFiles ?? {}))
    for (const test of tests) newIdOfKey.set(testKey(file, test), test.id);
  const remap = (ids) =>
    ids?.map((id) => newIdOfKey.get(keyOfOldId.get(id))).filter((id) => id !== undefined);
  const files = {};
  for (const [file, report] of Object.entries(older.files)) {
    if (file in newer.files) continue;
    files[file] = {
      ...report,
      mutants: report.mutants.map((mutant) => ({
        ...mutant,
        ...(mutant.coveredBy ? { coveredBy: remap(mutant.coveredBy) } : {}),
        ...(mutant.killedBy ? { killedBy: remap(mutant.killedBy) } : {}),
      })),
    };
  }
  return { ...newer, files: { ...files, ...newer.files } };
}

/**
 * Per-file counts over the parts' reports, the score as Stryker defines it (killed and
 * timed-out mutants over killed, timed-out, surviving and uncovered ones; ignored and
 * erroring ones do not count), and the list of undetected mutants.
 */
function summarise(reports) {
  const score = (c) => {
    const valid = c.killed + c.timeout + c.survived + c.noCoverage;
    return valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid;
  };
  const zero = () => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0 });
  const key = {
    Killed: "killed",
    Timeout: "timeout",
    Survived: "survived",
    NoCoverage: "noCoverage",
  };
  const total = zero();
  const table = [
    "| file | score % | killed | timeout | survived | no coverage |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  const undetected = [];
  const files = reports.flatMap((report) => Object.entries(report.files));
  for (const [file, { source, mutants }] of files.sort(([a], [b]) => a.localeCompare(b))) {
    const counts = zero();
    const lines = source.split("\n");
    for (const mutant of [...mutants].sort(
      (a, b) => a.location.start.line - b.location.start.line,
    )) {
      const k = key[mutant.status];
      if (k === undefined) continue;
      counts[k]++;
      total[k]++;
      if (k === "survived" || k === "noCoverage") {
        const { start, end } = mutant.location;
        // The mutated expression itself (several on one line often start at one column).
        const original = lines
          .slice(start.line - 1, end.line)
          .map((line, i, all) =>
            line.slice(
              i === 0 ? start.column - 1 : 0,
              i === all.length - 1 ? end.column - 1 : undefined,
            ),
          )
          .join(" ")
          .replace(/\s+/g, " ");
        const replacement = mutant.replacement?.replace(/\s+/g, " ") ?? "";
        undetected.push(
          `- \`${file}:${start.line}:${start.column}\` ${mutant.status} ${mutant.mutatorName}: \`${clip(original)}\` → \`${clip(replacement)}\``,
        );
      }
    }
    table.push(
      `| ${file} | ${score(counts).toFixed(2)} | ${counts.killed} | ${counts.timeout} | ${counts.survived} | ${counts.noCoverage} |`,
    );
  }
  table.push(
    `| **all** | **${score(total).toFixed(2)}** | ${total.killed} | ${total.timeout} | ${total.survived} | ${total.noCoverage} |`,
  );
  const markdown = `${table.join("\n")}\n\n## Undetected mutants\n\n${undetected.join("\n") || "None."}\n`;
  return { score: score(total), markdown };
}

function clip(text) {
  const flat = text.replaceAll("`", "'");
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}
