/**
 * Messages between the runner and its child processes (the server process holding the
 * sink and proxies, and one client process per measurement), sent over Node's IPC channel.
 */
import type { ClientName } from "./config.ts";
import type { ProxyCounters } from "./proxy.ts";
import type { SinkCounters, SinkMode, StoredMessage } from "./sink.ts";

/** A request to the server process; `id` pairs it with its reply. @since 0.1.0 */
export type ServerRequest =
  | { id: number; op: "reset"; mode: SinkMode }
  | { id: number; op: "snapshot" }
  | { id: number; op: "stored" }
  | { id: number; op: "proxy"; delayMs: number; targetPort?: number }
  | { id: number; op: "close-proxy"; port: number }
  | { id: number; op: "stop" };

/** Counters of the server process at one instant. @since 0.1.0 */
export interface ServerSnapshot {
  /** process.cpuUsage() of the server process (sink and proxies), µs. */
  cpu: { user: number; system: number };
  sink: SinkCounters;
  /** Counters of every open proxy, by port. */
  proxies: Record<number, ProxyCounters>;
}

/** A reply from the server process. @since 0.1.0 */
export type ServerReply =
  | { id: number; ok: true; port?: number; snapshot?: ServerSnapshot; stored?: StoredMessage[] }
  | { id: number; ok: false; error: string };

/** The first message of the server process: the sink's port. @since 0.1.0 */
export interface ServerHello {
  hello: true;
  sinkPort: number;
}

/** What a throughput client process is asked to do. @since 0.1.0 */
export interface ThroughputJob {
  kind: "throughput";
  client: ClientName;
  port: number;
  recipients: number;
  warmup: number;
  n: number;
  timeCapMs: number;
  /** Recipients instead of the sink's `rcpt…@bench.test` (a real server's accepted address). */
  to?: string[];
  /** AUTH, for a real server that takes the recipients only after it. */
  auth?: { user: string; pass: string };
  /** `send()` calls kept outstanding (default 4 per connection). */
  sendsInFlight?: number;
  /** @smtp `pool.maxInFlight` / the raw client's window (default: each client's own). */
  maxInFlight?: number;
}

/** Where a large attachment comes from. @since 0.2.0 */
export type AttachmentSource = "bytes" | "stream" | "path";

/** What a large-attachment client process is asked to do. @since 0.1.0 */
export interface AttachmentJob {
  kind: "attachment";
  client: ClientName;
  /** 0 with `encodeOnly`. */
  port: number;
  file: string;
  /** A `Uint8Array` read before, a file stream (`createReadStream`), or a `path` each client reads. */
  source: AttachmentSource;
  encodeOnly: boolean;
  /** Sign with DKIM (rsa-sha256): the key, and a folder for a spool or cache file. */
  dkim?: BenchDkim;
}

/** DKIM settings of a signed attachment case. @since 0.1.0 */
export interface BenchDkim {
  /** PKCS#8 PEM of the RSA key. */
  privateKey: string;
  /** Where a client may keep a temporary copy (@smtp `spool`, nodemailer `cacheDir`). */
  spool: string;
}

/** The clients of the TLS set-up measurement. @since 0.2.0 */
export type TlsSetupClient = "smtp-resume" | "smtp-full" | "nodemailer";

/** Connection set-ups (STARTTLS and AUTH) one after another, each a new connection. @since 0.2.0 */
export interface TlsSetupJob {
  kind: "tls-setup";
  client: TlsSetupClient;
  host: string;
  port: number;
  /** The server's CA (PEM). */
  ca: string;
  auth: { user: string; pass: string };
  /** Untimed set-ups first (the first one gets the session the later ones may resume). */
  warmup: number;
  rounds: number;
}

/** Outcome of a TLS set-up measurement. @since 0.2.0 */
export interface TlsSetupOutcome {
  type: "result";
  kind: "tls-setup";
  /** Wall ms of each timed set-up: connect, EHLO, STARTTLS, EHLO, AUTH, until QUIT is written. */
  setupMs: number[];
  cpuUserUs: number;
  cpuSystemUs: number;
  failed: number;
  firstError?: string;
}

/** A memory measurement: many sends at once, or many messages in a row. @since 0.2.0 */
export interface MemoryJob {
  kind: "memory";
  mode: "concurrent" | "soak";
  client: ClientName;
  port: number;
  /** Sends made at once (`concurrent`), or messages sent in all (`soak`). */
  count: number;
}

/** Outcome of a memory measurement. @since 0.2.0 */
export interface MemoryOutcome {
  type: "result";
  kind: "memory";
  wallMs: number;
  sent: number;
  failed: number;
  firstError?: string;
  /** `concurrent`: RSS after a GC before the sends, and the highest seen until all settled. */
  rssBefore?: number;
  rssPeak?: number;
  /** `soak`: heap used after a full GC, before the first message and after each tenth. */
  heapBytes?: number[];
}

/** A job for a client process. @since 0.1.0 */
export type ClientJob = ThroughputJob | AttachmentJob | TlsSetupJob | MemoryJob;

/** Sent by a client process once warmed up; the runner answers with {@link GoMessage}. @since 0.1.0 */
export interface WarmMessage {
  type: "warm";
}

/** Starts the timed part. @since 0.1.0 */
export interface GoMessage {
  type: "go";
}

/** Outcome of a throughput measurement, from the client process. @since 0.1.0 */
export interface ThroughputOutcome {
  type: "result";
  kind: "throughput";
  /** Messages timed and delivered. */
  sent: number;
  /** Messages whose send failed (should be 0). */
  failed: number;
  firstError?: string;
  wallMs: number;
  cpuUserUs: number;
  cpuSystemUs: number;
}

/** Outcome of a large-attachment measurement, from the client process. @since 0.1.0 */
export interface AttachmentOutcome {
  type: "result";
  kind: "attachment";
  ok: boolean;
  error?: string;
  wallMs: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  /** RSS just before the timed part, bytes. */
  rssBefore: number;
  /** Highest RSS seen: 5 ms samples and getrusage maxRSS, bytes. */
  rssPeak: number;
  /** Bytes of encoded message produced (encode-only). */
  encodedBytes?: number;
}

/** A client process's final message. @since 0.1.0 */
export type ClientOutcome = ThroughputOutcome | AttachmentOutcome | TlsSetupOutcome | MemoryOutcome;
