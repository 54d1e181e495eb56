// Inside workerd: a ConformanceHarness whose servers live in the Node process that runs
// miniflare (workerd cannot listen), reached through the HARNESS service binding, one
// request per operation. The answers carry each server's accept count, kept here so that
// `server.accepted` can stay synchronous.
import type {
  ConformanceHarness,
  ServerConnection,
  TestServer,
} from "@smtp-internal/transport-conformance";

/** The binding to the Node side (a miniflare service binding to a Node function). */
export interface HarnessBinding {
  fetch(input: string, init?: { method?: string; body?: Uint8Array }): Promise<Response>;
}

export function remoteHarness(
  binding: () => HarnessBinding,
  caPem: () => string,
): ConformanceHarness {
  const accepted = new Map<string, number>();
  const call = async (op: string, params: Record<string, string> = {}, body?: Uint8Array) => {
    const query = new URLSearchParams({ op, ...params }).toString();
    const response = await binding().fetch(`http://harness/?${query}`, {
      method: "POST",
      ...(body ? { body } : {}),
    });
    const counts = response.headers.get("x-accepted");
    if (counts) {
      for (const [id, count] of Object.entries(JSON.parse(counts) as Record<string, number>)) {
        accepted.set(id, count);
      }
    }
    if (response.status >= 400) throw new Error(`harness ${op}: ${await response.text()}`);
    return response;
  };
  const json = async <T>(op: string, params: Record<string, string> = {}) =>
    (await (await call(op, params)).json()) as T;

  const connection = (id: string): ServerConnection => ({
    async read() {
      const response = await call("read", { conn: id });
      if (response.status === 204) return null;
      return new Uint8Array(await response.arrayBuffer());
    },
    async write(bytes) {
      // A copy: the body is read after this call returns.
      await call("write", { conn: id }, bytes.slice());
    },
    async startTls() {
      await call("startTls", { conn: id });
    },
    async end() {
      await call("end", { conn: id });
    },
    reset() {
      void call("reset", { conn: id }).catch(() => {});
    },
  });

  return {
    get caPem() {
      return caPem();
    },
    async listen(options = {}) {
      const { server, host, port } = await json<{ server: string; host: string; port: number }>(
        "listen",
        options.tls ? { tls: options.tls } : {},
      );
      const remote: TestServer = {
        host,
        port,
        get accepted() {
          return accepted.get(server) ?? 0;
        },
        async accept() {
          const { conn } = await json<{ conn: string }>("accept", { server });
          return connection(conn);
        },
        async close() {
          await call("close", { server });
        },
      };
      return remote;
    },
    async refusedPort() {
      return (await json<{ port: number }>("refusedPort")).port;
    },
  };
}
