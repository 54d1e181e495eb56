import type { Connector } from "@smtp/core/transport-kit";
import type { Sha256Like } from "@smtp/dkim";
import type { ClientTlsOptions } from "./options.ts";

/** The slice of Deno's global this module looks at. */
interface DenoGlobal {
  hostname?: () => string;
  permissions?: {
    querySync?: (descriptor: { name: "sys"; kind: "hostname" }) => { state: string };
  };
}

function deno(): DenoGlobal | undefined {
  return (globalThis as { Deno?: DenoGlobal }).Deno;
}

/**
 * The runtime's default connector: `@smtp/transport-deno` on Deno, `@smtp/transport-node`
 * elsewhere (Node.js, Bun), given the client's `tls` options as they are: each transport
 * maps them to its runtime's and refuses what its runtime cannot honour. Loaded with a
 * dynamic `import()` at first use so that a Deno program never loads `node:*` modules and a
 * custom `transport` loads neither.
 *
 * @since 0.1.0
 */
export async function defaultConnector(tls: ClientTlsOptions | undefined): Promise<Connector> {
  const options = tls === undefined ? {} : { tls };
  if (deno()) {
    // Typed locally: the client builds against any version of the Deno transport that has it.
    const mod = (await import("@smtp/transport-deno")) as unknown as {
      denoConnector?: (options: { tls?: ClientTlsOptions }) => Connector;
    };
    if (typeof mod.denoConnector !== "function") {
      throw new Error("@smtp/transport-deno does not provide denoConnector()");
    }
    return mod.denoConnector(options);
  }
  const mod = await import("@smtp/transport-node");
  return mod.nodeConnector(options);
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
    if (d) return denoHostname(d);
    const os = await import("node:os");
    return os.hostname();
  } catch {
    // No permission (Deno without --allow-sys) or no such API: fall back to an address literal.
    return undefined;
  }
}

/**
 * `Deno.hostname()` only when the `sys` permission for it is already granted
 * (`--allow-sys=hostname`): asking for it would prompt in a terminal, and the address literal
 * of the local socket is a valid EHLO name anyway. The query itself never prompts.
 */
function denoHostname(d: DenoGlobal): string | undefined {
  const state = d.permissions?.querySync?.({ name: "sys", kind: "hostname" }).state;
  return state === "granted" ? d.hostname?.() : undefined;
}

/** Random bytes not handed out yet live in `RANDOM_POOL[poolOffset…]`. */
const RANDOM_POOL = new Uint8Array(4096);
/** Starts empty: the first request fills the pool. */
let poolOffset = RANDOM_POOL.length;
/** Requests up to this size are served from the pool. */
const POOL_TAKE_MAX = 256;

/**
 * Cryptographically strong random bytes from the Web Crypto API, present in Node.js 20,
 * Deno and Bun.
 *
 * @since 0.1.0
 */
export function randomBytes(length: number): Uint8Array {
  // Small requests (a Message-ID, a boundary: every message makes one or more) come from a
  // pool filled 4 KiB at a time, each byte handed out once: one getRandomValues call per
  // few hundred messages instead of one per message, which cost ~10 µs each in Node 20.
  if (length <= POOL_TAKE_MAX) {
    if (poolOffset + length > RANDOM_POOL.length) {
      globalThis.crypto.getRandomValues(RANDOM_POOL);
      poolOffset = 0;
    }
    const bytes = RANDOM_POOL.slice(poolOffset, poolOffset + length);
    poolOffset += length;
    return bytes;
  }
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

let cachedSha256: Promise<(() => Sha256Like) | undefined> | undefined;

/**
 * The runtime's native streaming SHA-256 (`node:crypto` on Node.js and Bun), several times
 * faster than `@smtp/dkim`'s own for the body hash of a large message; `undefined` on Deno,
 * where the client loads no `node:*` module. Looked up once.
 *
 * @since 0.1.0
 */
export function nativeSha256(): Promise<(() => Sha256Like) | undefined> {
  cachedSha256 ??= (async () => {
    if (deno()) return undefined;
    try {
      const { createHash } = await import("node:crypto");
      return () => createHash("sha256");
    } catch {
      return undefined;
    }
  })();
  return cachedSha256;
}
