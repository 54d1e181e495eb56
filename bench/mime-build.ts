// Benchmark (run by hand, prints figures; not a test): the time @smtp/mime's createMessage
// takes to build the throughput bench's message (~2.4 KB of text, one recipient), from the
// built `dist` (run `pnpm build` first), next to nodemailer's MailComposer building and
// serializing the same message in the same run.
//
//   node --import tsx bench/mime-build.ts [rounds]
//
// Each round times 20,000 builds; the first round is the warm-up. Random octets come from a
// fixed generator, so that the operating system's random source is not what is timed.
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import { createMessage } from "../packages/mime/dist/index.js";
import { recipients, textMessage } from "./fixtures.ts";

const PER_ROUND = 20_000;
const rounds = Number(process.argv[2] ?? 5);
const to = recipients(1);
let seed = 1;
const randomBytes = (n: number): Uint8Array => {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  return bytes;
};

function timeSmtp(): number {
  const started = performance.now();
  for (let i = 0; i < PER_ROUND; i++) {
    const message = createMessage(textMessage(i, to), { now: new Date(), randomBytes });
    if (message.singleChunk?.() === undefined) throw new Error("expected one chunk");
  }
  return ((performance.now() - started) * 1000) / PER_ROUND;
}

async function timeNodemailer(): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < PER_ROUND / 10; i++) {
    await new MailComposer(textMessage(i, to)).compile().build();
  }
  return ((performance.now() - started) * 1000) / (PER_ROUND / 10);
}

const smtp: number[] = [];
const nodemailer: number[] = [];
for (let round = 0; round <= rounds; round++) {
  const a = timeSmtp();
  const b = await timeNodemailer();
  if (round > 0) {
    smtp.push(a);
    nodemailer.push(b);
  }
}
const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1]!;
const list = (values: number[]) => values.map((v) => v.toFixed(1)).join(" ");
console.log(`@smtp/mime createMessage: ${median(smtp).toFixed(1)} µs median (${list(smtp)})`);
console.log(
  `nodemailer MailComposer build: ${median(nodemailer).toFixed(1)} µs median (${list(nodemailer)})`,
);
