import { createRequire } from "node:module";

/** The package's version, read from its package.json (one level above src/ and dist/). */
export function cliVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require("../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}
