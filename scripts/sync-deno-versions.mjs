// `changeset version` bumps package.json only; JSR reads each package's deno.json.
// Run after it (the root "version" script does) so both manifests carry one version.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
for (const dir of readdirSync(join(root, "packages"))) {
  const pkg = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
  const denoPath = join(root, "packages", dir, "deno.json");
  let deno;
  try {
    deno = JSON.parse(readFileSync(denoPath, "utf8"));
  } catch {
    continue;
  }
  if (deno.version === pkg.version) continue;
  deno.version = pkg.version;
  writeFileSync(denoPath, `${JSON.stringify(deno, null, 2)}\n`);
  console.log(`${deno.name}: deno.json -> ${pkg.version}`);
}
