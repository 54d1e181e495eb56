// The transport conformance suite, run inside workerd (through miniflare) against
// @smtp/transport-cloudflare: the cases run in a worker (test/workerd/conformance-worker.ts)
// over cloudflare:sockets, the servers in this Node process (the node:net harness Node,
// Bun and Deno use), each case one request. TLS is verified: a case that trusts the test
// CA connects through a workerd network service that trusts it.
import { createTestCa } from "@smtp-internal/test-peer";
import { CONFORMANCE_CASES } from "@smtp-internal/transport-conformance";
import { nodeNetHarness } from "@smtp-internal/transport-conformance/node-net";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { harnessHandler } from "./workerd/harness-server.ts";
import { bundleWorker, startWorker, trustingNetwork } from "./workerd/workerd.ts";

const NAME = "@smtp/transport-cloudflare in workerd";
let mf: Miniflare;

beforeAll(async () => {
  const ca = await createTestCa();
  const harness = nodeNetHarness({ caPem: ca.caPem, certPem: ca.fullchainPem, keyPem: ca.keyPem });
  mf = await startWorker(await bundleWorker("./conformance-worker.ts"), {
    bindings: { CA_PEM: ca.caPem },
    serviceBindings: { HARNESS: harnessHandler(harness), TRUSTED: trustingNetwork(ca.caPem) },
  });
});

afterAll(async () => {
  await mf?.dispose();
});

for (const title of CONFORMANCE_CASES) {
  const name = `${NAME} conformance: ${title}`;
  it(name, { timeout: 60_000 }, async () => {
    const response = await mf.dispatchFetch("http://worker/", { method: "POST", body: name });
    const result = (await response.json()) as { ok: boolean; error?: string };
    expect(result.error ?? "").toBe("");
    expect(result.ok).toBe(true);
  });
}
