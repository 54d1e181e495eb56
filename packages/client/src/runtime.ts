import type { Connector } from "@smtp/core";
import type { ClientTlsOptions } from "./options.ts";

/** The slice of Deno's global this module looks at. */
interface DenoGlobal {
  hostname?: () => string;
}

function deno(): DenoGlobal | undefined {
  return (globalThis as { Deno?: DenoGlobal }).Deno;
}

/**
 * The runtime's default connector: `@smtp/transport-deno` on Deno, `@smtp/transport-node`
 * elsewhere (Node.js, Bun). Loaded with a dynamic `import()` at first use so that a Deno
 * program never loads `node:*` modules and a custom `transport` loads neither.
 *
 * @since 0.1.0
 */
export async function defaultConnector(tls: ClientTlsOptions | undefined): Promise<Connector> {
  if (deno()) {
    const mod = (await import("@smtp/transport-deno")) as unknown as {
      denoConnector?: (options?: { tls?: ClientTlsOptions }) => Connector;
    };
    if (typeof mod.denoConnector !== "function") {
      throw new Error("@smtp/transport-deno does not provide denoConnector()");
    }
    return mod.denoConnector(tls === undefined ? {} : { tls });
  }
  const mod = (await import("@smtp/transport-node")) as unknown as {
    nodeConnector?: (options?: { tls?: ClientTlsOptions }) => Connector;
  };
  if (typeof mod.nodeConnector !== "function") {
    throw new Error("@smtp/transport-node does not provide nodeConnector()");
  }
  return mod.nodeConnector(tls === undefined ? {} : { tls });
}

let cachedHostname: Promise<string | undefined> | undefined;

/**
 * The machine's host name (`os.hostname()`, `Deno.hostname()`), or `undefined` when the
 * runtime cannot tell. Looked up once.
 *
 * @since 0.1.0
 */
export function machineHostname(): Promise<string | undefined> {
  cachedHostname ??= lookupHostname();
  return cachedHostname;
}

async function lookupHostname(): Promise<string | undefined> {
  try {
    const d = deno();
    if (d) return d.hostname?.();
    const os = await import("node:os");
    return os.hostname();
  } catch {
    // No permission (Deno without --allow-sys) or no such API: fall back to an address literal.
    return undefined;
  }
}

/**
 * Cryptographically strong random bytes from the Web Crypto API, present in Node.js 20,
 * Deno and Bun.
 *
 * @since 0.1.0
 */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let offset = 0; offset < length; offset += 65_536) {
    globalThis.crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

/** A monotonic clock in milliseconds. @since 0.1.0 */
export function monotonicNow(): number {
  return globalThis.performance.now();
}
