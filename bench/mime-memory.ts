// Benchmark (run by hand, prints figures; not a test): memory and time to build and stream
// a message with a 200 MiB attachment, from bytes and from a stream, with @smtp/mime and
// with nodemailer's MailComposer in the same run. Each variant runs in a fresh process.
//
//   node --conditions=source --import tsx bench/mime-memory.ts [MiB]
//
// Goal (issue 4): under 32 MB of extra memory for 200 MiB, from bytes or from a stream.
// Extra RSS = peak RSS (getrusage maxRSS and 5 ms sampling) minus the RSS just before the
// timed part, so a byte source that is already loaded does not count.
//
// Variants: "-reuse" streams with { reuseBuffers: true } (what @smtp/client does).
// "mime-stream" and "mime-stream-fresh-reuse" read from a producer that allocates a fresh
// 64 KiB chunk per read, like a file stream; "mime-stream-reuse" from one that refills one
// buffer; "mime-readable*" from a web ReadableStream of fresh chunks. Without reuse, most of the extra memory is garbage
// (one fresh ArrayBuffer per 64 KiB block) that V8 frees on its external-memory schedule,
// not live data; with reuse, what remains is the working set.
import { execFileSync } from "node:child_process";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import MailComposer from "nodemailer/lib/mail-composer";
import { createMessage } from "../packages/mime/src/index.ts";

const CHUNK = 64 * 1024;
const variants = [
  "mime-bytes",
  "mime-stream",
  "mime-readable",
  "mime-bytes-reuse",
  "mime-stream-reuse",
  "mime-stream-fresh-reuse",
  "mime-readable-reuse",
  "nodemailer-bytes",
  "nodemailer-stream",
] as const;
type Variant = (typeof variants)[number];

function fill(chunk: Uint8Array, seed: number): Uint8Array {
  // Cheap, non-constant content (so nothing can be shared or compressed away).
  let x = seed | 1;
  const view = new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.byteLength >> 2);
  for (let i = 0; i < view.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view[i] = x;
  }
  return chunk;
}

/** A producer that allocates a fresh chunk per read (like a file stream). */
async function* generated(total: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0, i = 0; sent < total; sent += CHUNK, i++) {
    yield fill(new Uint8Array(Math.min(CHUNK, total - sent)), i + 1);
  }
}

/** A producer that refills one buffer (safe with @smtp/mime: it never holds a chunk past the next pull). */
async function* refilled(total: number): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(CHUNK);
  for (let sent = 0, i = 0; sent < total; sent += CHUNK, i++) {
    yield fill(buffer, i + 1).subarray(0, Math.min(CHUNK, total - sent));
  }
}

function webStream(total: number): ReadableStream<Uint8Array> {
  const source = generated(total);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}

const input = {
  from: "bench@example.test",
  to: "sink@example.test",
  subject: "big",
  text: "see attached",
};

async function runChild(variant: Variant, mib: number): Promise<void> {
  const total = mib * 1024 * 1024;
  const bytes = variant.includes("-bytes") ? fill(new Uint8Array(total), 7) : undefined;
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const start = performance.now();
  let out = 0;
  if (variant.startsWith("mime")) {
    const content =
      bytes ??
      (variant.startsWith("mime-readable")
        ? webStream(total)
        : variant === "mime-stream-reuse"
          ? refilled(total)
          : generated(total));
    const message = createMessage(
      { ...input, attachments: [{ filename: "big.bin", content, size: total }] },
      { now: new Date(), randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)) },
    );
    let pulls = 0;
    for await (const chunk of message.stream({ reuseBuffers: variant.endsWith("-reuse") })) {
      out += chunk.length;
      // Let the sampler run now and then, as a socket write would.
      if (++pulls % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (message.size !== out) throw new Error(`size ${message.size} != ${out}`);
  } else {
    const content =
      variant === "nodemailer-bytes" ? Buffer.from(bytes!.buffer) : Readable.from(generated(total));
    const stream = new MailComposer({ ...input, attachments: [{ filename: "big.bin", content }] })
      .compile()
      .createReadStream();
    for await (const chunk of stream) out += (chunk as Buffer).length;
  }
  const seconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  console.log(
    JSON.stringify({ variant, seconds, extraMB: (peak - baseline) / 1e6, outMB: out / 1e6 }),
  );
}

async function main(): Promise<void> {
  const [mode, arg] = process.argv.slice(2);
  if (mode === "--child") return runChild(arg as Variant, Number(process.argv[4]));
  const mib = Number(mode ?? 200);
  const self = fileURLToPath(import.meta.url);
  const results = new Map<Variant, { seconds: number; extraMB: number }>();
  console.log(`node ${process.version}, ${mib} MiB attachment, one fresh process per variant`);
  for (const variant of variants) {
    const output = execFileSync(
      process.execPath,
      [
        "--expose-gc",
        "--conditions=source",
        "--import",
        "tsx",
        self,
        "--child",
        variant,
        String(mib),
      ],
      { encoding: "utf8", maxBuffer: 1 << 20 },
    );
    const r = JSON.parse(output.trim().split("\n").at(-1)!) as {
      seconds: number;
      extraMB: number;
      outMB: number;
    };
    results.set(variant, r);
    console.log(
      `${variant.padEnd(24)} ${r.seconds.toFixed(2).padStart(6)} s  ${`+${r.extraMB.toFixed(1)} MB`.padStart(11)} extra RSS  ${(mib / r.seconds).toFixed(0).padStart(5)} MiB/s in  ${r.outMB.toFixed(0)} MB out`,
    );
  }
  for (const kind of ["bytes", "stream"] as const) {
    const ours = results.get(`mime-${kind}`)!;
    const theirs = results.get(`nodemailer-${kind}`)!;
    console.log(
      `from ${kind}: nodemailer / @smtp/mime = ${(theirs.seconds / ours.seconds).toFixed(1)}× time, ${(theirs.extraMB / Math.max(ours.extraMB, 0.1)).toFixed(1)}× extra memory`,
    );
  }
}

await main();
