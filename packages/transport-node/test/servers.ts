import { once } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { createSecureContext, createServer as createTlsServer, TLSSocket } from "node:tls";
import type { IssuedCertificate } from "@smtp-internal/test-peer";
import { expect, vi } from "vitest";

/** A loopback server on an ephemeral port that tracks its sockets so `stop()` leaves nothing. */
export interface RawServer {
  port: number;
  sockets: Set<Socket>;
  stop(): Promise<void>;
}

async function listen(server: Server, host: string): Promise<RawServer> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, host);
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A plaintext TCP server running `handler` on each connection. */
export function startRawServer(
  host: string,
  handler: (socket: Socket) => void,
  options: { allowHalfOpen?: boolean } = {},
): Promise<RawServer> {
  return listen(createServer(options, handler), host);
}

/** An implicit-TLS server with the given certificate, running `handler` once secure. */
export function startTlsServer(
  host: string,
  cert: IssuedCertificate,
  handler: (socket: Socket) => void,
  extra: { requestCert?: boolean; ca?: string; allowHalfOpen?: boolean } = {},
): Promise<RawServer> {
  const server = createTlsServer(
    { key: cert.keyPem, cert: cert.fullchainPem, ...extra, rejectUnauthorized: false },
    handler,
  );
  server.on("tlsClientError", () => {});
  return listen(server, host);
}

/**
 * A minimal STARTTLS server: greets, answers `STARTTLS` with `220`, upgrades, then answers
 * each line with `250 <line>`. `afterGo` may write extra bytes after the 220 (injection).
 */
export function startStartTlsServer(
  host: string,
  cert: IssuedCertificate,
  options: { afterGo?: (socket: Socket) => void; onSecure?: (socket: TLSSocket) => void } = {},
): Promise<RawServer> {
  const context = createSecureContext({ key: cert.keyPem, cert: cert.fullchainPem });
  return startRawServer(host, (socket) => {
    socket.write("220 localhost ready\r\n");
    socket.once("data", (line) => {
      if (!line.toString().startsWith("STARTTLS")) {
        socket.end("500 expected STARTTLS\r\n");
        return;
      }
      socket.write("220 go ahead\r\n");
      options.afterGo?.(socket);
      const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
      secure.on("error", () => {});
      secure.on("secure", () => options.onSecure?.(secure));
      secure.on("data", (data) => secure.write(`250 ${data.toString()}`));
    });
  });
}

/** Collects `transport.read()` until `done(text)` says the expected text has arrived. */
export async function readUntil(
  transport: { read(): Promise<Uint8Array | null> },
  done: (text: string) => boolean,
): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  while (!done(text)) {
    const chunk = await transport.read();
    if (chunk === null) break;
    text += decoder.decode(chunk, { stream: true });
  }
  return text;
}

/**
 * Counts of the runtime's active handles: sockets and servers by type, and timers. Vitest
 * has timers of its own that come and go, so tests compare `timers` with `<=`.
 */
export function activeHandles(): { handles: Record<string, number>; timers: number } {
  const handles: Record<string, number> = {};
  let timers = 0;
  for (const name of process.getActiveResourcesInfo()) {
    if (name === "Timeout") timers++;
    else if (name !== "Immediate" && name !== "TTYWrap" && name !== "FSReqCallback") {
      handles[name] = (handles[name] ?? 0) + 1;
    }
  }
  return { handles, timers };
}

/**
 * Asserts that no socket and no timer was left behind since `before`. Handles close in a
 * later turn of the event loop, so this waits (up to 5 s) for the counts to come back;
 * a real leak never does.
 */
export async function expectNoLeftovers(before: ReturnType<typeof activeHandles>): Promise<void> {
  await vi.waitFor(
    () => {
      const after = activeHandles();
      expect(after.handles).toEqual(before.handles);
      expect(after.timers).toBeLessThanOrEqual(before.timers);
    },
    { timeout: 5000, interval: 10 },
  );
}

/** Lets pending I/O callbacks and 'close' events run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
