// The transport conformance suite, run by Bun (`bun test`) against @smtp/transport-node:
// the same cases as under Node, with Bun's node:net and node:tls. Bun reports no active
// resources, so the leak check here is what the server sees (every connection ends).
import { test } from "bun:test";
import { nodeConnector } from "@smtp/transport-node";
import { createTestCa } from "@smtp-internal/test-peer";
import { runTransportConformance } from "@smtp-internal/transport-conformance";
import { nodeNetHarness } from "@smtp-internal/transport-conformance/node-net";

const ca = await createTestCa();

runTransportConformance({
  name: "@smtp/transport-node on Bun",
  connector: (tls) => nodeConnector({ tls }),
  harness: nodeNetHarness({ caPem: ca.caPem, certPem: ca.fullchainPem, keyPem: ca.keyPem }),
  test: (name, run) => test(name, run, 30_000),
});
