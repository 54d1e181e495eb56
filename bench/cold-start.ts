/**
 * Cold start and install footprint: the wall time of `node -e "import(…)"` over a bare
 * `node -e ""` (median of interleaved runs), the in-process first-import time, and the
 * bytes and files a user installs. @smtp is imported from the built `dist` (run
 * `pnpm build` first), as a user would get it; nodemailer from node_modules.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./processes.ts";
import { type Spread, spread } from "./stats.ts";

/** One library's cold-start figures. @since 0.1.0 */
export interface ColdStartRow {
  library: string;
  /** Wall ms of `node -e "import(x)"` minus the paired bare `node -e ""`. */
  overBareMs: Spread;
  /** ms of the first `await import(x)` measured inside the process. */
  firstImportMs: Spread;
  /** Bytes and files installed (the package's published files, dependencies included). */
  installBytes: number;
  installFiles: number;
  /** When the entry point was built (for @smtp's dist), ISO time. */
  builtAt?: string;
}

/** Cold start of both clients. @since 0.1.0 */
export interface ColdStartResult {
  runs: number;
  bareMs: Spread;
  rows: ColdStartRow[];
  /** Why a library was left out (e.g. no dist). */
  skipped: string[];
}

/** @smtp packages a user installs with @smtp/client. */
const SMTP_PACKAGES = ["client", "core", "mime", "dkim", "transport-node", "transport-deno"];

/** Sums the files a package publishes: dist (without maps), the manifest, README, LICENSE. */
function publishedSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(full);
      } else if (!/\.map$|\.tsbuildinfo$/.test(entry.name)) {
        bytes += statSync(full).size;
        files++;
      }
    }
  };
  // What `files` publishes (tests/workspace/manifests.test.ts keeps it so): dist without maps.
  if (existsSync(join(dir, "dist"))) walk(join(dir, "dist"));
  for (const file of ["package.json", "README.md", "LICENSE"]) {
    if (existsSync(join(dir, file))) {
      bytes += statSync(join(dir, file)).size;
      files++;
    }
  }
  return { bytes, files };
}

/** Every file of an installed package directory (what `npm i` puts on disk). */
function installedSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(full);
      } else {
        bytes += statSync(full).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

function wallOf(args: string[]): number {
  const started = performance.now();
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  return performance.now() - started;
}

function firstImportOf(specifier: string): number {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return Number(out.toString());
}

/**
 * Measures cold start over `runs` interleaved rounds (bare node, then each library).
 *
 * @since 0.1.0
 */
export function measureColdStart(runs: number): ColdStartResult {
  const skipped: string[] = [];
  const libraries: { library: string; specifier: string; builtAt?: string }[] = [];
  const smtpEntry = join(ROOT, "packages", "client", "dist", "index.js");
  if (existsSync(smtpEntry)) {
    libraries.push({
      library: "@smtp/client",
      specifier: smtpEntry,
      builtAt: statSync(smtpEntry).mtime.toISOString(),
    });
  } else {
    skipped.push("@smtp/client: packages/client/dist is missing (run pnpm build)");
  }
  libraries.push({ library: "nodemailer", specifier: "nodemailer" });

  const bare: number[] = [];
  const over = new Map<string, number[]>(libraries.map((l) => [l.library, []]));
  const first = new Map<string, number[]>(libraries.map((l) => [l.library, []]));
  for (let i = 0; i < runs; i++) {
    const base = wallOf(["-e", ""]);
    bare.push(base);
    for (const lib of libraries) {
      const code = `import(${JSON.stringify(lib.specifier)}).then(() => {})`;
      over.get(lib.library)!.push(wallOf(["-e", code]) - base);
      first.get(lib.library)!.push(firstImportOf(lib.specifier));
    }
  }

  const rows: ColdStartRow[] = libraries.map((lib) => {
    let size: { bytes: number; files: number };
    if (lib.library === "nodemailer") {
      size = installedSize(realpathSync(join(ROOT, "node_modules", "nodemailer")));
    } else {
      size = { bytes: 0, files: 0 };
      for (const pkg of SMTP_PACKAGES) {
        const s = publishedSize(join(ROOT, "packages", pkg));
        size.bytes += s.bytes;
        size.files += s.files;
      }
    }
    return {
      library: lib.library,
      overBareMs: spread(over.get(lib.library)!),
      firstImportMs: spread(first.get(lib.library)!),
      installBytes: size.bytes,
      installFiles: size.files,
      ...(lib.builtAt === undefined ? {} : { builtAt: lib.builtAt }),
    };
  });
  return { runs, bareMs: spread(bare), rows, skipped };
}
