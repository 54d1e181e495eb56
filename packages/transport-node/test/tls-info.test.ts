import { createTestCa, type TestCa } from "@smtp-internal/test-peer";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectNode } from "../src/index.ts";
import {
  encode,
  type RawServer,
  readUntil,
  startStartTlsServer,
  startTlsServer,
} from "./servers.ts";

// tlsInfo() is diagnostics (smtp probe): what TLS negotiated and the chain as presented,
// including whether it verified on a connection that did not require it.

let ca: TestCa;
let otherCa: TestCa;
beforeAll(async () => {
  [ca, otherCa] = await Promise.all([createTestCa(), createTestCa()]);
});

let server: RawServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const line = (t: string): boolean => t.endsWith("\r\n");

describe("NodeTransport.tlsInfo()", () => {
  it("reports protocol, cipher, a verified chain (leaf first) with subject, issuer and SANs", async () => {
    const leaf = await ca.issue({ dns: ["localhost"], ips: ["127.0.0.1"] });
    server = await startTlsServer("127.0.0.1", leaf, (socket) => socket.write("220 hi\r\n"));
    const transport = await connectNode(
      { host: "localhost", port: server.port, tls: "implicit" },
      { tls: { ca: ca.caPem } },
    );
    const info = transport.tlsInfo();
    expect(info).toMatchObject({ authorized: true, authorizationError: undefined });
    expect(info?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(info?.cipher).toMatch(/^TLS_/);
    expect(info?.certificates[0]?.subjectAltNames).toEqual([
      "DNS:localhost",
      "IP Address:127.0.0.1",
    ]);
    expect(info?.certificates[0]?.issuer).toBe(info?.certificates[1]?.subject);
    expect(Date.parse(info?.certificates[0]?.validTo ?? "")).toBeGreaterThan(Date.now());
    expect(info?.certificates[0]?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    await transport.close();
    expect(transport.tlsInfo()).toBeUndefined();
  });

  it("says why a chain does not verify when verification was turned off", async () => {
    server = await startTlsServer("127.0.0.1", await ca.issue({ dns: ["localhost"] }), (s) =>
      s.write("220 hi\r\n"),
    );
    const transport = await connectNode(
      { host: "localhost", port: server.port, tls: "implicit" },
      { tls: { ca: otherCa.caPem, rejectUnauthorized: false } },
    );
    expect(transport.tlsInfo()).toMatchObject({
      authorized: false,
      authorizationError: "SELF_SIGNED_CERT_IN_CHAIN",
    });
    transport.abort();
  });

  it("is undefined on plaintext and filled in after STARTTLS", async () => {
    server = await startStartTlsServer("127.0.0.1", await ca.issue({ dns: ["localhost"] }));
    const transport = await connectNode(
      { host: "localhost", port: server.port, tls: "starttls" },
      { tls: { ca: ca.caPem } },
    );
    expect(transport.tlsInfo()).toBeUndefined();
    await readUntil(transport, line);
    await transport.write(encode("STARTTLS\r\n"));
    await readUntil(transport, line);
    await transport.startTls({ servername: "localhost" });
    expect(transport.tlsInfo()).toMatchObject({ authorized: true });
    transport.abort();
  });
});
