import { invalidInput } from "@smtp/core/base";
import type { Connector } from "@smtp/core/transport-kit";
import type { ProxyWrapper } from "./options.ts";

/** Checks a proxy's host and port as given by the caller. */
export function checkEndpoint(host: unknown, port: unknown, what: string): void {
  if (typeof host !== "string" || host === "" || /[\s\0]/.test(host)) {
    throw invalidInput(`${what} host must be a non-empty string without white space`);
  }
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw invalidInput(`${what} port must be an integer from 1 to 65535`);
  }
}

/** A {@link ProxyWrapper}: the wrapping function, with the proxy's public description. */
export function proxyWrapper(
  protocol: "socks5" | "http",
  host: string,
  port: number,
  wrap: (connector: Connector) => Connector,
): ProxyWrapper {
  const bracketed = host.includes(":") ? `[${host}]` : host;
  const description = { protocol, host, port, url: `${protocol}://${bracketed}:${port}` };
  const wrapper = (connector: Connector): Connector => wrap(connector);
  for (const [key, value] of Object.entries(description)) {
    Object.defineProperty(wrapper, key, { value, enumerable: true });
  }
  return wrapper as ProxyWrapper;
}
