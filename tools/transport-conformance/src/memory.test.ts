// The suite against the kit's in-memory transport: checks the suite itself (and the guard)
// without a socket, and shows how a transport with no network of its own runs it.
import { it } from "vitest";
import { memoryNetwork } from "./memory-harness.ts";
import { runTransportConformance } from "./suite.ts";

const { harness, connector } = memoryNetwork();
runTransportConformance({ name: "memory", connector, harness, test: it });
