/**
 * What one benchmark run measures, from `--quick`/full presets, CLI flags and `BENCH_*`
 * environment variables.
 */

/**
 * The client variants compared. `smtp-*` is @smtp/client, `nm-*` nodemailer, `raw-pool1` the
 * hand-written pipelined client (bench/raw-client.ts, one connection); the digit is
 * maxConnections.
 *
 * @since 0.1.0
 */
export type ClientName = "smtp-pool1" | "smtp-pool5" | "nm-pool1" | "nm-pool5" | "raw-pool1";

/** Every client variant, in the order of the first repetition. @since 0.1.0 */
export const CLIENTS: readonly ClientName[] = [
  "smtp-pool1",
  "nm-pool1",
  "raw-pool1",
  "smtp-pool5",
  "nm-pool5",
];

/** Real servers the `--servers` mode measures (bench/real-servers.ts). @since 0.1.0 */
export const REAL_SERVERS = ["postfix", "exim", "smtp-server"] as const;

/** @since 0.1.0 */
export type RealServerName = (typeof REAL_SERVERS)[number];

/** Settings of one run. @since 0.1.0 */
export interface BenchConfig {
  /** Repetitions; the client order is rotated in each. */
  reps: number;
  /** Messages timed per throughput measurement at D = 0. */
  n: number;
  /** Messages timed per throughput measurement at D > 0. */
  nDelayed: number;
  /** Stop issuing new messages after this many ms of timed sending (in-flight ones finish). */
  timeCapMs: number;
  /** One-way delays (ms) added by the proxy; 0 means straight to the sink, no proxy. */
  delays: number[];
  /** Recipients per message. */
  recipients: number[];
  /** Client variants to run. */
  clients: ClientName[];
  /** Attachment sizes in MiB; empty skips the large-attachment part. */
  sizesMiB: number[];
  /** Sink read rate in MiB/s for the back-pressure case; 0 skips it. */
  throttleMiBps: number;
  /** Attachment size (MiB) for the throttled case. */
  throttleSizeMiB: number;
  /** Measure the encode-only variants (no network). */
  encodeOnly: boolean;
  /** Measure the DKIM-signed variants of the large attachments (rsa-sha256, both clients). */
  dkim: boolean;
  /** Interleaved rounds of the cold-start measurement; 0 skips it. */
  coldRuns: number;
  /** `send()` calls made at once on a pool of 5 for the memory case; 0 skips it. */
  concurrentSends: number;
  /** Messages in a row for the heap-growth soak; 0 skips it. */
  soakMessages: number;
  /** Measure the engine alone (reply parser, DATA encoder beside a copy), in-process. */
  engine: boolean;
  /** ms of each timed engine run (there are three repetitions at least). */
  engineMs: number;
  /** Timed connection set-ups per TLS measurement (Postfix, STARTTLS + AUTH); 0 skips it. */
  tlsRounds: number;
  /** One-way delays of the TLS set-up measurement. */
  tlsDelays: number[];
  /** Messages of each throughput measurement parsed and checked with mailparser. */
  sample: number;
  /** Write a V8 CPU profile per client process into this directory. */
  cpuProfDir: string | undefined;
  /** Where the JSON results go. */
  jsonPath: string | undefined;
  /**
   * Measure one connection through the proxy in front of these real servers instead of the
   * usual run against the sink (`--servers`); empty: the usual run.
   */
  servers: RealServerName[];
  /** With `servers`: the @smtp in-flight windows (`pool.maxInFlight`) measured. */
  windows: number[];
  /** With `servers`: `send()` calls kept outstanding, for every client. */
  sendsInFlight: number;
  /** Run @smtp from its TypeScript sources (tsx) instead of the built dist. */
  source: boolean;
  /** Print progress lines to stderr. */
  verbose: boolean;
  /** `quick` or `full`: which preset the run started from. */
  preset: "quick" | "full";
  /** Whether options changed the preset (the run is then not a plain quick or full run). */
  custom: boolean;
}

/** The full preset: what the README figures come from. @since 0.1.0 */
export function fullConfig(): BenchConfig {
  return {
    reps: 3,
    n: 2000,
    nDelayed: 300,
    timeCapMs: 15_000,
    delays: [0, 5, 20],
    recipients: [1, 10],
    clients: [...CLIENTS],
    sizesMiB: [50, 200],
    throttleMiBps: 20,
    throttleSizeMiB: 50,
    encodeOnly: true,
    dkim: true,
    coldRuns: 30,
    concurrentSends: 1000,
    soakMessages: 100_000,
    engine: true,
    engineMs: 400,
    tlsRounds: 20,
    tlsDelays: [0, 20],
    sample: 20,
    cpuProfDir: undefined,
    jsonPath: undefined,
    servers: [],
    windows: [4, 32],
    sendsInFlight: 64,
    source: false,
    verbose: true,
    preset: "full",
    custom: false,
  };
}

/** The quick preset: small N, one repetition, small attachments. @since 0.1.0 */
export function quickConfig(): BenchConfig {
  return {
    ...fullConfig(),
    reps: 1,
    n: 300,
    nDelayed: 40,
    timeCapMs: 5_000,
    delays: [0, 5],
    // One recipient, no encode-only cases (8 MiB encode in ~30 ms: noise), the soak at 3,000
    // and TLS without the proxy: the quick run stays under two minutes on a loaded machine
    // (bench/README.md).
    recipients: [1],
    encodeOnly: false,
    sizesMiB: [8],
    throttleMiBps: 20,
    throttleSizeMiB: 8,
    coldRuns: 5,
    soakMessages: 3_000,
    engineMs: 200,
    tlsRounds: 6,
    tlsDelays: [0],
    sample: 10,
    preset: "quick",
  };
}

const HELP = `usage: pnpm bench [--quick] [options]

  --quick               small N, R = 1, 1 repetition, 8 MiB attachment (default: full run)
  --reps N              repetitions (client order rotated each time)
  --n N                 messages timed per measurement at D = 0
  --n-delayed N         messages timed per measurement with the proxy
  --time-cap MS         stop issuing messages after MS of timed sending
  --delays 0,5,20       one-way proxy delays in ms (0 = no proxy)
  --recipients 1,10     recipients per message
  --clients a,b         subset of ${CLIENTS.join(", ")}
  --sizes 50,200        attachment sizes in MiB ("" or 0 skips large attachments)
  --throttle MIBPS      sink read rate for the back-pressure case (0 skips it)
  --throttle-size MIB   attachment size for the throttled case
  --no-encode           skip the encode-only variants
  --no-dkim             skip the DKIM-signed attachment variants
  --cold N              interleaved cold-start rounds (0 skips; needs pnpm build for @smtp)
  --concurrent N        send() calls at once on a pool of 5, for memory (0 skips)
  --soak N              messages in a row for the heap-growth soak (0 skips)
  --no-engine           skip the engine-alone section (reply parser, DATA encoder vs a copy)
  --engine-ms MS        ms of each timed engine run (full 400, quick 200)
  --tls N               timed TLS set-ups (STARTTLS + AUTH on Postfix) per cell (0 skips)
  --tls-delays 0,20     one-way delays of the TLS set-up measurement
  --sample N            messages per measurement parsed with mailparser
  --cpu-prof DIR        write a --cpu-prof profile of every client process into DIR
  --json PATH           JSON output (default bench/results/<date>.json)
  --servers a,b         instead: one connection at RTT 0, 10 and 40 ms (or --delays) to real
                        servers (${REAL_SERVERS.join(", ")}), set up by interop/peers/
  --windows 4,32        with --servers: @smtp's pool.maxInFlight values measured
  --sends N             with --servers: send() calls kept outstanding (default 64)
  --source              run @smtp from its TypeScript sources (tsx), not the built dist
  --quiet               no progress lines on stderr

Every flag can also be given as an environment variable: BENCH_REPS, BENCH_N, BENCH_DELAYS, ...`;

function numbers(value: string, flag: string): number[] {
  if (value.trim() === "") return [];
  return value.split(",").map((part) => {
    const n = Number(part.trim());
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`${flag}: not a non-negative number: ${part}`);
    return n;
  });
}

function integer(value: string, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected an integer >= ${min}`);
  return n;
}

/** Environment variable name for a flag: `--n-delayed` → `BENCH_N_DELAYED`. */
function envName(flag: string): string {
  return `BENCH_${flag.slice(2).toUpperCase().replaceAll("-", "_")}`;
}

const VALUE_FLAGS = [
  "--reps",
  "--n",
  "--n-delayed",
  "--time-cap",
  "--delays",
  "--recipients",
  "--clients",
  "--sizes",
  "--throttle",
  "--throttle-size",
  "--sample",
  "--cold",
  "--concurrent",
  "--soak",
  "--engine-ms",
  "--tls",
  "--tls-delays",
  "--cpu-prof",
  "--json",
  "--servers",
  "--windows",
  "--sends",
] as const;
const BOOLEAN_FLAGS = [
  "--quick",
  "--no-encode",
  "--no-dkim",
  "--no-engine",
  "--source",
  "--quiet",
  "--help",
] as const;

/**
 * Parses CLI flags (and `BENCH_*` environment variables, which flags override) into a
 * {@link BenchConfig}. Throws on an unknown flag or a bad value.
 *
 * @since 0.1.0
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): BenchConfig | "help" {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (const flag of VALUE_FLAGS) {
    const v = env[envName(flag)];
    if (v !== undefined) values.set(flag, v);
  }
  for (const flag of BOOLEAN_FLAGS) {
    const v = env[envName(flag)];
    if (v === "1" || v === "true") switches.add(flag);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    if ((BOOLEAN_FLAGS as readonly string[]).includes(flag!)) {
      switches.add(flag!);
    } else if ((VALUE_FLAGS as readonly string[]).includes(flag!)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      values.set(flag!, value);
    } else if (arg !== "--") {
      throw new Error(`unknown option ${arg}\n\n${HELP}`);
    }
  }
  if (switches.has("--help")) return "help";

  const config = switches.has("--quick") ? quickConfig() : fullConfig();
  for (const [flag, value] of values) {
    switch (flag) {
      case "--reps":
        config.reps = integer(value, flag);
        break;
      case "--n":
        config.n = integer(value, flag);
        break;
      case "--n-delayed":
        config.nDelayed = integer(value, flag);
        break;
      case "--time-cap":
        config.timeCapMs = integer(value, flag);
        break;
      case "--delays":
        config.delays = numbers(value, flag);
        break;
      case "--recipients":
        config.recipients = numbers(value, flag).map((n) => integer(String(n), flag));
        break;
      case "--clients": {
        const names = value.split(",").map((s) => s.trim());
        for (const name of names) {
          if (!(CLIENTS as readonly string[]).includes(name)) {
            throw new Error(`--clients: unknown client ${name} (one of ${CLIENTS.join(", ")})`);
          }
        }
        config.clients = names as ClientName[];
        break;
      }
      case "--sizes":
        config.sizesMiB = numbers(value, flag).filter((n) => n > 0);
        break;
      case "--throttle":
        config.throttleMiBps = numbers(value, flag)[0] ?? 0;
        break;
      case "--throttle-size":
        config.throttleSizeMiB = numbers(value, flag)[0] ?? 0;
        break;
      case "--sample":
        config.sample = integer(value, flag, 0);
        break;
      case "--cold":
        config.coldRuns = integer(value, flag, 0);
        break;
      case "--concurrent":
        config.concurrentSends = integer(value, flag, 0);
        break;
      case "--soak":
        config.soakMessages = integer(value, flag, 0);
        break;
      case "--engine-ms":
        config.engineMs = integer(value, flag);
        break;
      case "--tls":
        config.tlsRounds = integer(value, flag, 0);
        break;
      case "--tls-delays":
        config.tlsDelays = numbers(value, flag);
        break;
      case "--cpu-prof":
        config.cpuProfDir = value;
        break;
      case "--json":
        config.jsonPath = value;
        break;
      case "--windows":
        config.windows = numbers(value, flag).map((n) => integer(String(n), flag));
        break;
      case "--sends":
        config.sendsInFlight = integer(value, flag);
        break;
      case "--servers": {
        const names = value.split(",").map((n) => n.trim());
        for (const name of names) {
          if (!(REAL_SERVERS as readonly string[]).includes(name)) {
            throw new Error(
              `--servers: unknown server ${name} (one of ${REAL_SERVERS.join(", ")})`,
            );
          }
        }
        config.servers = names as RealServerName[];
        break;
      }
    }
  }
  // The real-server mode measures at RTT 0, 10 and 40 ms unless told otherwise.
  if (values.has("--servers") && !values.has("--delays")) config.delays = [0, 5, 20];
  // Where the JSON goes changes nothing measured.
  if (
    [...values.keys()].some((flag) => flag !== "--json") ||
    switches.has("--no-encode") ||
    switches.has("--no-dkim") ||
    switches.has("--no-engine") ||
    switches.has("--source")
  ) {
    config.custom = true;
  }
  if (switches.has("--no-encode")) config.encodeOnly = false;
  if (switches.has("--no-dkim")) config.dkim = false;
  if (switches.has("--no-engine")) config.engine = false;
  if (switches.has("--quiet")) config.verbose = false;
  if (switches.has("--source")) config.source = true;
  return config;
}

/** The `--help` text. @since 0.1.0 */
export const USAGE = HELP;
