// The transport hands over the server's bytes as they came; the driver recognises a TLS
// record where a plaintext greeting should be (a server that expects implicit TLS).
import { memoryTransportPair } from "@smtp/core/transport-kit";
import { describe, expect, it } from "vitest";
import { Driver } from "../src/drive.ts";
import { looksLikeTlsRecord } from "../src/tls-sniff.ts";
import { FakeSession } from "./fakes.ts";

const alert = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);
const hooks = { ready: () => {}, body: async function* () {}, result: () => {} };

function drive(secure: boolean) {
  const { client, server } = memoryTransportPair({ secure });
  const session = new FakeSession();
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

  it("on a connection already inside TLS the same bytes are the session's to judge", async () => {
    const { server, info } = drive(true);
    await server.write(new Uint8Array([...alert, ...new TextEncoder().encode(" bye\r\n")]));
    expect(await info).toMatchObject({ reason: "quit" });
  });

  it("only a handshake or alert record of TLS version 3 counts", () => {
    expect(looksLikeTlsRecord(new Uint8Array([0x16, 0x03, 0x01]))).toBe(true);
    expect(looksLikeTlsRecord(alert)).toBe(true);
    expect(looksLikeTlsRecord(new Uint8Array([0x17, 0x03]))).toBe(false);
    expect(looksLikeTlsRecord(new Uint8Array([0x16, 0x02]))).toBe(false);
    expect(looksLikeTlsRecord(new TextEncoder().encode("220 mx ESMTP"))).toBe(false);
    expect(looksLikeTlsRecord(new Uint8Array([0x16]))).toBe(false);
  });
});
