// The transport conformance suite, run by Node (vitest) against @smtp/transport-node. The
// same suite runs under Bun (tests/bun/conformance.test.ts) and, for the Deno transport,
// under Deno.

import { createTestCa } from "@smtp-internal/test-peer";
import { runTransportConformance } from "@smtp-internal/transport-conformance";
import { activeResources, nodeNetHarness } from "@smtp-internal/transport-conformance/node-net";
import { it } from "vitest";
import { nodeConnector } from "../src/index.ts";

const ca = await createTestCa();

runTransportConformance({
  name: "@smtp/transport-node",
  connector: (tls) => nodeConnector({ tls }),
  harness: nodeNetHarness(
    { caPem: ca.caPem, certPem: ca.fullchainPem, keyPem: ca.keyPem },
    { resources: activeResources },
  ),
  test: it,
});
