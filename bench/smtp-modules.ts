/**
 * Where the benchmark's client processes load @smtp from: the built `dist` (what a user
 * installs: JavaScript emitted by tsc, run as it is), or with `--source` (BENCH_SOURCE=1)
 * the TypeScript sources through tsx, whose transform adds work of its own (e.g. a
 * `__name` call for every function made at run time).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

type ClientModule = typeof import("../packages/client/src/index.ts");
type MimeModule = typeof import("../packages/mime/src/index.ts");

/** Whether the client processes run @smtp from its TypeScript sources. @since 0.2.0 */
export function fromSource(
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return env.BENCH_SOURCE === "1";
}

/** The module a package entry loads from: `dist/<sub>index.js`, or its source with `source`. */
function entry(pkg: "client" | "mime" | "core", source = fromSource(), sub = ""): string {
  const path = source
    ? `../packages/${pkg}/src/${sub}index.ts`
    : `../packages/${pkg}/dist/${sub}index.js`;
  const file = fileURLToPath(new URL(path, import.meta.url));
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run pnpm build first (or pass --source)`);
  }
  return path;
}

/** `@smtp/client`, from dist or source. @since 0.2.0 */
export async function loadClientModule(): Promise<ClientModule> {
  return (await import(entry("client"))) as ClientModule;
}

/** `@smtp/mime`, from dist or source. @since 0.2.0 */
export async function loadMimeModule(): Promise<MimeModule> {
  return (await import(entry("mime"))) as MimeModule;
}

type CoreInternalModule = typeof import("../packages/core/src/internal/index.ts");

/**
 * `@smtp/core/internal` (the reply parser, the DATA encoder), from dist or, with `source`,
 * from its TypeScript sources.
 *
 * @since 0.2.0
 */
export async function loadCoreInternalModule(source: boolean): Promise<CoreInternalModule> {
  return (await import(entry("core", source, "internal/"))) as CoreInternalModule;
}

type TransportKitModule = typeof import("../packages/core/src/transport-kit/index.ts");

/** `@smtp/core/transport-kit` (the in-memory transport pair), from dist or source. @since 0.2.0 */
export async function loadTransportKitModule(): Promise<TransportKitModule> {
  return (await import(entry("core", fromSource(), "transport-kit/"))) as TransportKitModule;
}

/** Whether `packages/client/dist` exists (the smoke test falls back to source without it). @since 0.2.0 */
export function distBuilt(): boolean {
  return existsSync(fileURLToPath(new URL("../packages/client/dist/index.js", import.meta.url)));
}
