/**
 * The real proxies on loopback that `scripts/proxy-servers.sh start` runs (Dante for
 * SOCKS5, tinyproxy for HTTP CONNECT; each without and with a user name and password),
 * as `.ci/run` exports their settings. Read from the environment only, so it also works
 * under Bun; Deno's suite passes the same variables.
 *
 * @since 0.1.0
 */
export interface ProxyEnv {
  /** Where every proxy listens (`PROXY_HOST`, 127.0.0.1). */
  host: string;
  /** Dante, no authentication (`PROXY_SOCKS_PORT`). */
  socksPort: number;
  /** Dante, user name and password required (`PROXY_SOCKS_AUTH_PORT`). */
  socksAuthPort: number;
  /** tinyproxy, no authentication (`PROXY_HTTP_PORT`). */
  httpPort: number;
  /** tinyproxy, Basic authentication required (`PROXY_HTTP_AUTH_PORT`). */
  httpAuthPort: number;
  /** The user of both authenticating proxies (`PROXY_USER`). */
  user: string;
  /** Their password (`PROXY_PASS`). */
  pass: string;
}

const NAMES = {
  socksPort: "PROXY_SOCKS_PORT",
  socksAuthPort: "PROXY_SOCKS_AUTH_PORT",
  httpPort: "PROXY_HTTP_PORT",
  httpAuthPort: "PROXY_HTTP_AUTH_PORT",
} as const;

function text(name: string): string | undefined {
  const value = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
    ?.env[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The proxies' settings, or `undefined` when they are not running here. Under CI (any
 * non-empty `CI`) a missing proxy is an error, never a reason to skip.
 *
 * @since 0.1.0
 */
export function proxyEnv(): ProxyEnv | undefined {
  const ports = Object.fromEntries(
    Object.entries(NAMES).map(([key, name]) => [key, Number(text(name))]),
  ) as Record<keyof typeof NAMES, number>;
  const complete =
    Object.values(ports).every((port) => Number.isInteger(port) && port > 0) &&
    text("PROXY_USER") !== undefined &&
    text("PROXY_PASS") !== undefined;
  if (!complete) {
    if (text("CI") !== undefined) {
      throw new Error(
        "CI is set but the test proxies are not: run `bash scripts/proxy-servers.sh start` and export its env file (.ci/run does)",
      );
    }
    return undefined;
  }
  return {
    host: text("PROXY_HOST") ?? "127.0.0.1",
    ...ports,
    user: text("PROXY_USER") as string,
    pass: text("PROXY_PASS") as string,
  };
}
