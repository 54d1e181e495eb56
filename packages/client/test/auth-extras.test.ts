import { createClient, SmtpError } from "@smtp/client";
import {
  type SmtpServerPeer,
  startSmtpServerPeer,
  TEST_ACCESS_TOKEN,
} from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const USER = "user@example.test";

describe("access token provider and LMTP (smtp-server)", () => {
  let peer: SmtpServerPeer;
  let lmtp: SmtpServerPeer;
  beforeAll(async () => {
    [peer, lmtp] = await Promise.all([
      startSmtpServerPeer({ tls: "none" }),
      startSmtpServerPeer({ tls: "none", serverOptions: { lmtp: true } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([peer?.close(), lmtp?.close()]);
  });

  it("asks the provider for a token for each new connection (XOAUTH2)", async () => {
    let calls = 0;
    const client = createClient({
      host: peer.host,
      port: peer.port,
      auth: {
        user: USER,
        accessToken: async () => {
          calls++;
          return TEST_ACCESS_TOKEN;
        },
      },
    });
    await client.send({ from: USER, to: "a@other.test", subject: "1", text: "x" });
    await client.send({ from: USER, to: "a@other.test", subject: "2", text: "x" });
    expect(calls).toBe(2);
    expect(peer.received.slice(-2).map((m) => m.user)).toEqual([USER, USER]);
    await client.close();
  });

  it("a failing provider gives kind auth and opens no connection", async () => {
    const before = peer.connectionCount();
    const client = createClient({
      host: peer.host,
      port: peer.port,
      auth: {
        user: USER,
        accessToken: () => {
          throw new Error("token endpoint down");
        },
      },
    });
    const error = await client.send({ from: USER, to: "a@example.test", text: "x" }).then(
      () => undefined,
      (e: unknown) => e as SmtpError,
    );
    expect(error).toBeInstanceOf(SmtpError);
    expect(error?.kind).toBe("auth");
    expect((error?.cause as Error | undefined)?.message).toBe("token endpoint down");
    expect(peer.connectionCount()).toBe(before);
  });

  it("speaks LMTP when asked: per-recipient results after the data", async () => {
    const client = createClient({ host: lmtp.host, port: lmtp.port, lmtp: true });
    const info = await client.send({
      from: USER,
      to: ["a@example.test", "b@reject.test", "c@example.test"],
      subject: "lmtp",
      text: "x",
    });
    expect(info.accepted).toEqual(["a@example.test", "c@example.test"]);
    expect(info.rejected.map((r) => r.address)).toEqual(["b@reject.test"]);
    expect(lmtp.received.at(-1)?.to).toEqual(["a@example.test", "c@example.test"]);
    await client.close();
  });
});
