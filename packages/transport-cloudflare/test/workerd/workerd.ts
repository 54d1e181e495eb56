// Runs a worker in workerd through miniflare (the workerd binary ships in its npm package),
// from TypeScript sources bundled with esbuild the way wrangler bundles a Worker: the
// `workerd` and `worker` export conditions first, `cloudflare:*` left to the runtime, no
// `node:*` (a Worker without nodejs_compat has none; the bundle fails if one is reached).
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare, type MiniflareOptions } from "miniflare";

/** Bundles `entry` (a path relative to this folder, or absolute) into one ES module. */
export async function bundleWorker(entry: string): Promise<string> {
  const path = entry.startsWith("/") ? entry : fileURLToPath(new URL(entry, import.meta.url));
  const result = await build({
    entryPoints: [path],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "source"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*"],
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** Starts workerd with the bundled `script` and `options` (bindings, services). */
export async function startWorker(
  script: string,
  options: Partial<MiniflareOptions> = {},
): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-01-01",
    ...options,
  } as MiniflareOptions);
  await mf.ready;
  return mf;
}

/** workerd's network service trusting `caPem`, on loopback only: a service binding's `connect` goes there. */
export function trustingNetwork(caPem: string) {
  return { network: { allow: ["local"], tlsOptions: { trustedCertificates: [caPem] } } };
}
