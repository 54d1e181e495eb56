import { createTransport } from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SmtpServerPeer, startSmtpServerPeer } from "./smtp-server-peer.ts";
import { TEST_ACCESS_TOKEN } from "./users.ts";

function mailer(peer: SmtpServerPeer, auth?: Record<string, string>) {
  return createTransport({
    host: peer.host,
    port: peer.port,
    secure: peer.tls === "implicit",
    requireTLS: peer.tls === "starttls",
    tls: { ca: peer.ca.caPem, servername: "localhost" },
    ...(auth ? { auth } : {}),
  });
}

describe("startSmtpServerPeer over STARTTLS on 127.0.0.1", () => {
  let peer: SmtpServerPeer;
  beforeAll(async () => {
    peer = await startSmtpServerPeer();
  });
  afterAll(() => peer.close());

  it("captures a message sent after STARTTLS and AUTH PLAIN, with its envelope", async () => {
    const transport = mailer(peer, { user: "user@example.test", pass: "password" });
    const info = await transport.sendMail({
      from: "user@example.test",
      to: ["a@example.test", "b@elsewhere.test"],
      subject: "peer capture",
      text: "hello",
    });
    transport.close();
    expect(info.accepted).toEqual(["a@example.test", "b@elsewhere.test"]);
    const got = peer.received.at(-1);
    expect(got?.from).toBe("user@example.test");
    expect(got?.to).toEqual(["a@example.test", "b@elsewhere.test"]);
    expect(got?.user).toBe("user@example.test");
    expect(got?.secure).toBe(true);
    expect(new TextDecoder().decode(got?.raw)).toContain("Subject: peer capture");
  });

  it("refuses a wrong password with 535", async () => {
    const transport = mailer(peer, { user: "user@example.test", pass: "wrong" });
    await expect(transport.verify()).rejects.toMatchObject({ responseCode: 535 });
    transport.close();
  });

  it("accepts the UTF-8 password and the XOAUTH2 token", async () => {
    const utf8 = mailer(peer, { user: "utf8user@example.test", pass: "pässwörd" });
    await expect(utf8.verify()).resolves.toBe(true);
    utf8.close();
    const oauth = createTransport({
      host: peer.host,
      port: peer.port,
      tls: { ca: peer.ca.caPem, servername: "localhost" },
      auth: { type: "OAuth2", user: "user@example.test", accessToken: TEST_ACCESS_TOKEN },
    });
    await expect(oauth.verify()).resolves.toBe(true);
    oauth.close();
  });

  it("rejects the documented recipients and relaying without AUTH", async () => {
    const transport = mailer(peer);
    const info = await transport.sendMail({
      from: "sender@example.test",
      to: ["ok@example.test", "x@reject.test", "full@example.test", "far@elsewhere.test"],
      text: "x",
    });
    transport.close();
    expect(info.accepted).toEqual(["ok@example.test"]);
    const rejected = (info as unknown as { rejectedErrors: { responseCode: number }[] })
      .rejectedErrors;
    expect(rejected.map((e) => e.responseCode)).toEqual([550, 452, 554]);
  });
});

describe("startSmtpServerPeer with implicit TLS on ::1", () => {
  it("captures a message over implicit TLS and counts connections", async () => {
    const peer = await startSmtpServerPeer({ host: "::1", tls: "implicit" });
    try {
      const transport = mailer(peer);
      await transport.sendMail({ from: "a@example.test", to: "b@example.test", text: "v6" });
      transport.close();
      expect(peer.received).toHaveLength(1);
      expect(peer.received[0]?.secure).toBe(true);
      expect(peer.connectionCount()).toBe(1);
    } finally {
      await peer.close();
    }
  });
});

describe("startSmtpServerPeer with maxMessagesPerConnection", () => {
  it("answers the next MAIL on a connection with 421 once the limit is reached", async () => {
    const peer = await startSmtpServerPeer({ maxMessagesPerConnection: 1 });
    try {
      const transport = createTransport({
        pool: true,
        maxConnections: 1,
        host: peer.host,
        port: peer.port,
        tls: { ca: peer.ca.caPem, servername: "localhost" },
      });
      await transport.sendMail({ from: "a@example.test", to: "b@example.test", text: "1" });
      const second = await transport
        .sendMail({ from: "a@example.test", to: "b@example.test", text: "2" })
        .catch((e: unknown) => e);
      transport.close();
      // nodemailer's pool retries a message on a fresh connection after a 421.
      expect(second).toMatchObject({ accepted: ["b@example.test"] });
      expect(peer.received.map((m) => m.sessionId)).toHaveLength(2);
      expect(new Set(peer.received.map((m) => m.sessionId)).size).toBe(2);
      expect(peer.connectionCount()).toBe(2);
    } finally {
      await peer.close();
    }
  });
});

describe("startSmtpServerPeer with a content rule (refuseData)", () => {
  it("refuses a message the rule names once its data is in, records only the others", async () => {
    const onMessage: string[] = [];
    const peer = await startSmtpServerPeer({
      tls: "none",
      onMessage: (m) => onMessage.push(m.from),
      refuseData: (raw) =>
        new TextDecoder().decode(raw).includes("Subject: refuse me")
          ? { code: 554, message: "refused by the rule" }
          : undefined,
    });
    try {
      const transport = createTransport({ host: peer.host, port: peer.port, ignoreTLS: true });
      await expect(
        transport.sendMail({
          from: "a@example.test",
          to: "b@example.test",
          subject: "refuse me",
          text: "x",
        }),
      ).rejects.toMatchObject({
        responseCode: 554,
        response: expect.stringContaining("refused by the rule"),
      });
      await transport.sendMail({
        from: "c@example.test",
        to: "b@example.test",
        subject: "keep",
        text: "x",
      });
      transport.close();
      expect(peer.received.map((m) => m.from)).toEqual(["c@example.test"]);
      expect(onMessage).toEqual(["c@example.test"]);
    } finally {
      await peer.close();
    }
  });
});
