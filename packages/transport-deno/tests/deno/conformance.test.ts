// The transport conformance suite, run by Deno (`deno test`, sanitizers on) against
// @smtp/transport-deno: the same cases as @smtp/transport-node runs under Node and Bun. The
// servers are node:net ones (Deno has no server-side STARTTLS of its own); the leak check is
// Deno's resource and op sanitizers, which fail a test that leaves anything open.
import { runTransportConformance } from "../../../../tools/transport-conformance/src/index.ts";
import { nodeNetHarness } from "../../../../tools/transport-conformance/src/node-net-harness.ts";
import { denoConnector } from "../../src/index.ts";
import { caPem, leafCertPem, leafKeyPem } from "./helpers.ts";

runTransportConformance({
  name: "@smtp/transport-deno",
  connector: (tls) => denoConnector({ tls }),
  harness: nodeNetHarness({ caPem, certPem: leafCertPem, keyPem: leafKeyPem }),
  test: (name, run) => Deno.test(name, run),
});
