import type { Connector } from "@smtp/core/transport-kit";
import type { Sha256Like } from "@smtp/dkim";
import type { ClientTlsOptions } from "./options.ts";

// The platform of Node.js, Bun and Deno, reached as "#platform" (package.json `imports`);
// inside Cloudflare Workers the `workerd` condition picks runtime-workerd.ts instead.

/** Inside Node.js, Bun and Deno a host name or local address always gives an EHLO name. @since 0.1.0 */
export const EHLO_NAME_REQUIRED: string | undefined = undefined;

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

/**
 * `node:fs`, loaded at first use: for attachments given by `path` and the DKIM spool, on
 * Node.js and Bun (Deno uses its own file API).
 *
 * @since 0.1.0
 */
export function nodeFs(): Promise<typeof import("node:fs")> {
  return import("node:fs");
}
