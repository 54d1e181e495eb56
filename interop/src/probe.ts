/** Asks a server for its capabilities once, before its cells run. */
import { type Capabilities, createClient } from "../../packages/client/src/index.ts";
import { describeError } from "./checks.ts";
import type { ServerProfile } from "./servers.ts";

/**
 * The server's EHLO (LHLO) capabilities, after STARTTLS where it has a STARTTLS port, or
 * why they could not be read.
 *
 * @since 0.1.0
 */
export async function probe(server: ServerProfile): Promise<Capabilities | { error: string }> {
  const tls = server.starttlsPort !== undefined;
  const client = createClient({
    host: server.host,
    port: server.starttlsPort ?? server.plainPort,
    starttls: tls ? "required" : "never",
    ...(tls ? { tls: { ca: server.caPem } } : {}),
    ...(server.protocol === "lmtp" ? { lmtp: true } : {}),
    timeouts: { connect: 5000, greeting: 10_000, command: 10_000 },
  });
  try {
    return await client.verify();
  } catch (error) {
    return { error: describeError(error) };
  } finally {
    await client.close();
  }
}
