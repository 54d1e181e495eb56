// Benchmark (run by hand, prints figures; not a test): @smtp/mime address parsing on
// 1 MB of hostile input, next to nodemailer's addressparser in the same run.
//
//   node --conditions=source --import tsx bench/mime-address.ts
//
// Security rule R4: linear time; 1 MB of adversarial input parsed or refused in < 50 ms.
import addressparser from "nodemailer/lib/addressparser";
import { MimeError, parseAddressList } from "../packages/mime/src/index.ts";

const MB = 1_000_000;
const fill = (unit: string, length = MB) =>
  unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

const inputs: [string, string][] = [
  ["nested comments", `${fill("(", MB / 2 - 6)}${fill(")", MB / 2 - 6)}a@b.example`],
  ["unterminated comments", fill("(")],
  ["quote storm", fill('"')],
  ["escaped quotes", `"${fill('\\"', MB - 16)}"@b.example`],
  ["angle storm", fill("<")],
  ["groups", fill("g:")],
  ["commas", fill(",")],
  ["at signs", fill("@")],
  ["brackets", fill("[")],
  ["long local part", `${fill("a", MB - 10)}@b.example`],
  ["valid list (~33k addresses)", "User Name <user@example.test>, ".repeat(MB / 30 - 1)],
  ["mixed specials", fill('a"(<@,;:\\.[]>)" ')],
];

function time(run: () => unknown, repeat: number): { ms: number; outcome: string } {
  let outcome = "";
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    try {
      const r = run() as unknown[];
      outcome = `${Array.isArray(r) ? r.length : "?"} addresses`;
    } catch (error) {
      outcome = error instanceof MimeError ? "MimeError" : `${(error as Error).name}`;
    }
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)]!, outcome };
}

console.log(
  `node ${process.version}, input ${MB} characters each; median of 7 runs (after 2 warm-ups)`,
);
console.log(
  `${"input".padEnd(30)} ${"@smtp/mime".padStart(12)}  ${"outcome".padEnd(16)} ${"nodemailer".padStart(12)}  ratio`,
);
for (const [name, text] of inputs) {
  time(() => parseAddressList("bench", text), 2);
  const ours = time(() => parseAddressList("bench", text), 7);
  time(() => addressparser(text), 1);
  const theirs = time(() => addressparser(text), 3);
  console.log(
    `${name.padEnd(30)} ${`${ours.ms.toFixed(1)} ms`.padStart(12)}  ${ours.outcome.padEnd(16)} ${`${theirs.ms.toFixed(1)} ms`.padStart(12)}  ${(theirs.ms / ours.ms).toFixed(1)}×`,
  );
}
const over = time(() => parseAddressList("bench", fill("a", 2 * 1024 * 1024)), 7);
console.log(
  `${"2 MiB (over the cap)".padEnd(30)} ${`${over.ms.toFixed(2)} ms`.padStart(12)}  ${over.outcome}`,
);
