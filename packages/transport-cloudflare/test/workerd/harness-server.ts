// The Node side of the remote harness: the conformance suite's servers (node:net / node:tls,
// the harness Node, Bun and Deno use), driven one request at a time from inside workerd.
import type {
  ConformanceHarness,
  ServerConnection,
  TestServer,
} from "@smtp-internal/transport-conformance";
import { type Request, Response } from "miniflare";

/** Answers the HARNESS binding's requests with `harness`'s servers. */
export function harnessHandler(harness: ConformanceHarness) {
  const servers = new Map<string, TestServer>();
  const connections = new Map<string, ServerConnection>();
  let next = 0;
  const counts = () =>
    JSON.stringify(Object.fromEntries([...servers].map(([id, server]) => [id, server.accepted])));
  const reply = (body: string | Uint8Array | null, status = 200, type = "application/json") =>
    new Response(body, { status, headers: { "x-accepted": counts(), "content-type": type } });
  const json = (value: unknown) => reply(JSON.stringify(value));

  const operations: Record<
    string,
    (params: URLSearchParams, request: Request) => Promise<Response>
  > = {
    async listen(params) {
      const server = await harness.listen(
        params.get("tls") === "implicit" ? { tls: "implicit" } : {},
      );
      const id = `s${next++}`;
      servers.set(id, server);
      return json({ server: id, host: server.host, port: server.port });
    },
    async refusedPort() {
      return json({ port: await harness.refusedPort() });
    },
    async accept(params) {
      const connection = await servers.get(params.get("server") ?? "")!.accept();
      const id = `c${next++}`;
      connections.set(id, connection);
      return json({ conn: id });
    },
    async close(params) {
      const id = params.get("server") ?? "";
      await servers.get(id)?.close();
      servers.delete(id);
      return json({});
    },
    async read(params) {
      const chunk = await conn(params).read();
      return chunk === null ? reply(null, 204) : reply(chunk, 200, "application/octet-stream");
    },
    async write(params, request) {
      await conn(params).write(new Uint8Array(await request.arrayBuffer()));
      return json({});
    },
    async startTls(params) {
      await conn(params).startTls();
      return json({});
    },
    async end(params) {
      await conn(params).end();
      return json({});
    },
    async reset(params) {
      conn(params).reset();
      return json({});
    },
  };
  const conn = (params: URLSearchParams): ServerConnection => {
    const connection = connections.get(params.get("conn") ?? "");
    if (!connection) throw new Error(`no connection ${params.get("conn")}`);
    return connection;
  };

  return async (request: Request): Promise<Response> => {
    const params = new URL(request.url).searchParams;
    const operation = operations[params.get("op") ?? ""];
    try {
      if (!operation) throw new Error(`unknown operation ${params.get("op")}`);
      return await operation(params, request);
    } catch (error) {
      return reply(error instanceof Error ? error.message : String(error), 500, "text/plain");
    }
  };
}
