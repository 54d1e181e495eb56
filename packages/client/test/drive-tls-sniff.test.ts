// A server that expects implicit TLS may answer a plaintext connection with a TLS record
// where the greeting should be: the engine tells TLS from SMTP (the transport only moves
// the bytes), and the driver ends the connection with the error that names the fix.
import { Session } from "@smtp/core";
import { memoryTransportPair } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import { Driver } from "../src/drive.ts";

const alert = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);
const hooks = { ready: () => {}, body: async function* () {}, result: () => {} };

function drive(secure: boolean) {
  const { client, server } = memoryTransportPair({ secure });
  const session = new Session({
    ehloName: "client.example.test",
    servername: "mx.example",
    secure,
  });
  const driver = new Driver(session, client, hooks, { now: () => Date.now() });
  session.connected(Date.now());
  return { server, info: driver.run() };
}

describe("the driver and TLS on a plaintext connection", () => {
  it("a TLS record first ends the session with kind tls, detail tls-on-plaintext", async () => {
    const { server, info } = drive(false);
    await server.write(alert);
    const closed = await info;
    expect(closed).toMatchObject({
      reason: "error",
      error: { kind: "tls", detail: "tls-on-plaintext", retryable: false },
    });
    expect(closed.error?.message).toContain("secure: true");
    // The connection was destroyed, not closed: the server sees it reset.
    await expect(server.read()).rejects.toMatchObject({ detail: "ECONNRESET" });
  });

  it("inside TLS the same bytes are a bad reply (protocol), not a hint to use TLS", async () => {
    const { server, info } = drive(true);
    await server.write(new Uint8Array([...alert, 0x0d, 0x0a]));
    expect(await info).toMatchObject({ reason: "error", error: { kind: "protocol" } });
  });
});
