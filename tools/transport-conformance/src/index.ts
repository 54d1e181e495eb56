/**
 * `@smtp-internal/transport-conformance`: the one conformance suite of `@smtp`'s
 * transports. A transport package runs {@link runTransportConformance} in its own runtime
 * with a harness for that runtime: `@smtp-internal/transport-conformance/node-net` (loopback
 * servers over `node:net`/`node:tls`, which Node, Bun and Deno all have), or another
 * implementation of {@link ConformanceHarness} where those modules are missing (workerd).
 *
 * @module
 */
export type {
  ConformanceHarness,
  ConformanceOptions,
  RegisterTest,
  RuntimeLimits,
  ServerConnection,
  TestServer,
} from "./harness.ts";
export { memoryNetwork } from "./memory-harness.ts";
export { CONFORMANCE_CASES, runTransportConformance } from "./suite.ts";
