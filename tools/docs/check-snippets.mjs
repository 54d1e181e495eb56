// Type-checks every ```ts code block of the project's Markdown (READMEs, docs/, SECURITY.md
// …) and checks that every relative link in them points at a file that exists.
//
// Each block becomes a module of its own in tools/docs/.snippets/, checked with the
// project's TypeScript against the packages' sources. A block may rely on names it does not
// define (`client`, `message` …) when an HTML comment right above it declares them:
//
//   <!-- ts-check
//   import type { SmtpClient } from "@smtp/client";
//   declare const client: SmtpClient;
//   -->
//
// `<!-- ts-check function-body` checks the block as the body of an async function (its
// imports stay at the top): for a block that `return`s.
//
// Blocks in other languages (```sh, ```text, ```js …) are not checked.
// Usage: node tools/docs/check-snippets.mjs   (exit status 1 on any error)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const out = join(root, "tools/docs/.snippets");
const SKIP = new Set([
  "node_modules",
  "dist",
  "coverage",
  ".git",
  ".snippets",
  "api",
  ".changeset",
]);

/** Every Markdown file of the repository but generated and vendored ones. */
function markdownFiles(dir = root) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...markdownFiles(path));
    else if (entry.name.endsWith(".md")) files.push(path);
  }
  return files;
}

/** The ```ts blocks of one file, each with its line and the declarations above it. */
function snippets(text) {
  const lines = text.split("\n");
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    let preamble = "";
    let functionBody = false;
    let j = i - 1;
    while (j >= 0 && lines[j].trim() === "") j--;
    if (j >= 0 && lines[j].trim() === "-->") {
      let k = j;
      while (k >= 0 && !lines[k].startsWith("<!-- ts-check")) k--;
      if (k >= 0) {
        preamble = lines.slice(k + 1, j).join("\n");
        functionBody = lines[k].includes("function-body");
      }
    }
    let code = lines.slice(start, end);
    if (functionBody) {
      // Open the function on the first line after the imports, so line numbers stay the same.
      const first = code.findIndex((line) => line.trim() !== "" && !line.startsWith("import "));
      code = code.map((line, index) =>
        index === first ? `export async function snippet() { ${line}` : line,
      );
      code.push("}");
    }
    found.push({ line: start + 1, code: code.join("\n"), preamble });
    i = end;
  }
  return found;
}

/** Relative links ([text](path), [text](path#anchor)) whose target does not exist. */
function brokenLinks(file, text) {
  const broken = [];
  const withoutCode = text.replace(/^```[\s\S]*?^```/gm, (block) => block.replace(/[^\n]/g, ""));
  const lines = withoutCode.split("\n");
  lines.forEach((line, index) => {
    for (const match of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1];
      if (/^([a-z][a-z0-9+.-]*:|#)/i.test(target)) continue;
      const path = decodeURIComponent(target.split("#")[0]);
      if (!existsSync(resolve(dirname(file), path))) {
        broken.push(`${relative(root, file)}:${index + 1}: broken link to ${target}`);
      }
    }
  });
  return broken;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const origins = new Map();
const problems = [];
let count = 0;
for (const file of markdownFiles()) {
  const text = readFileSync(file, "utf8");
  problems.push(...brokenLinks(file, text));
  for (const snippet of snippets(text)) {
    const name = `${relative(root, file).replace(/[^\w]+/g, "_")}_${snippet.line}.ts`;
    const header = snippet.preamble === "" ? "" : `${snippet.preamble}\n`;
    const offset = header === "" ? 0 : header.split("\n").length - 1;
    writeFileSync(join(out, name), `${header}${snippet.code}\nexport {};\n`);
    origins.set(name, { file: relative(root, file), line: snippet.line, offset });
    count++;
  }
}
writeFileSync(join(out, "package.json"), '{ "type": "module", "private": true }\n');
const packages = "../../../packages";
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify(
    {
      extends: "../../../tsconfig.base.json",
      compilerOptions: {
        composite: false,
        declaration: false,
        declarationMap: false,
        noEmit: true,
        lib: ["ES2022", "DOM"],
        types: ["node"],
        customConditions: ["source"],
        // Deno's specifiers for our packages, as the Deno docs write them.
        paths: {
          "jsr:@smtp/core/replay": [`${packages}/core/src/replay/index.ts`],
          "jsr:@smtp/*": [`${packages}/*/src/index.ts`],
          "npm:@smtp/*": [`${packages}/*/src/index.ts`],
          // The private test tools a transport's README shows (the conformance suite).
          "@smtp-internal/transport-conformance": ["../../transport-conformance/src/index.ts"],
          "@smtp-internal/transport-conformance/node-net": [
            "../../transport-conformance/src/node-net-harness.ts",
          ],
          "@smtp-internal/test-peer": ["../../test-peer/src/index.ts"],
        },
      },
      include: ["*.ts"],
    },
    null,
    2,
  ),
);

try {
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(out, "tsconfig.json")], {
    encoding: "utf8",
    stdio: "pipe",
  });
} catch (error) {
  const output = `${error.stdout ?? ""}${error.stderr ?? ""}`;
  // Point each error at the Markdown line it comes from.
  for (const line of output.split("\n")) {
    const match = /^(?:.*[\\/])?([^\\/(]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
    const origin = match && origins.get(match[1]);
    if (origin) {
      const at = origin.line + Number(match[2]) - 1 - origin.offset;
      problems.push(`${origin.file}:${at}:${match[3]}: ${match[4]}`);
    } else if (line.trim() !== "") problems.push(line);
  }
  if (problems.length === 0) problems.push(output || String(error));
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`\n${problems.length} problem(s) in the Markdown's ts blocks and links`);
  process.exit(1);
}
console.log(`${count} ts code blocks type-check, and every relative link resolves`);
