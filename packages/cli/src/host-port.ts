import { SmtpError } from "@smtp/client";

function invalid(message: string): SmtpError {
  return new SmtpError({ kind: "invalid-input", message, retryable: false });
}

/**
 * A TCP port from the command line: a whole number from 1 to 65535.
 *
 * @throws SmtpError kind `invalid-input` naming `what`.
 */
export function parsePort(text: string, what = "--port"): number {
  if (!/^\d{1,5}$/.test(text)) throw invalid(`${what} must be a number from 1 to 65535`);
  const port = Number(text);
  if (port < 1 || port > 65_535) throw invalid(`${what} must be a number from 1 to 65535`);
  return port;
}

/**
 * `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (several colons, no port).
 *
 * @throws SmtpError kind `invalid-input`.
 */
export function parseHostPort(text: string, what: string): { host: string; port?: number } {
  if (text === "" || /[\s/@?#]/.test(text)) throw invalid(`${what}: not a host name or address`);
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    const host = bracketed[1] as string;
    return bracketed[2] === undefined
      ? { host }
      : { host, port: parsePort(bracketed[2], `${what} port`) };
  }
  if (text.includes("[") || text.includes("]")) throw invalid(`${what}: unbalanced brackets`);
  const colons = text.split(":").length - 1;
  if (colons === 0) return { host: text };
  if (colons > 1) return { host: text };
  const [host, port] = text.split(":") as [string, string];
  if (host === "") throw invalid(`${what}: the host is empty`);
  return { host, port: parsePort(port, `${what} port`) };
}

/**
 * How an address is written with a port: IPv6 in brackets.
 */
export function formatHostPort(host: string, port: number | undefined): string {
  const shown = host.includes(":") ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${port}`;
}
