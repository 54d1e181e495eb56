import { type JobId, type SendResult, Session } from "@smtp/core";
import { describe, expect, it } from "vitest";
import { Driver } from "../src/drive.ts";
import { FakeTransport } from "./fakes.ts";

// The driver's answer to the session's need-token: the owner's token hook, or an auth error
// when there is none.

const bearer = (token: string) =>
  Buffer.from(`user=u@example.test\x01auth=Bearer ${token}\x01\x01`).toString("base64");

function run(token?: () => Promise<string>) {
  const transport = new FakeTransport((line) => {
    if (line.startsWith("EHLO")) return "250-mx.example\r\n250 AUTH XOAUTH2\r\n";
    if (line === `AUTH XOAUTH2 ${bearer("new")}`) return "235 2.7.0 ok\r\n";
    if (line.startsWith("AUTH XOAUTH2")) return "535 5.7.8 token expired\r\n";
    if (line === "QUIT") return "221 bye\r\n";
    return undefined;
  });
  transport.push(new TextEncoder().encode("220 mx.example ESMTP\r\n"));
  const session = new Session({
    ehloName: "client.example",
    servername: "mx.example",
    secure: true,
    auth: { user: "u@example.test", accessToken: "old" },
    refreshableToken: true,
  });
  const results = new Map<JobId, SendResult>();
  let ready = false;
  const driver = new Driver(
    session,
    transport,
    {
      ready: () => {
        ready = true;
        session.quit(Date.now());
        driver.wake();
      },
      body: () => {
        throw new Error("no message is sent here");
      },
      result: (id, result) => results.set(id, result),
      ...(token === undefined ? {} : { token }),
    },
    { now: () => Date.now() },
  );
  session.connected(Date.now());
  return { info: driver.run(), transport, isReady: () => ready };
}

describe("need-token in the driver", () => {
  it("asks the token hook, and AUTH goes again with its token", async () => {
    const r = run(async () => "new");
    expect((await r.info).reason).toBe("quit");
    expect(r.isReady()).toBe(true);
    expect(r.transport.writes.filter((w) => w.startsWith("AUTH XOAUTH2"))).toEqual([
      `AUTH XOAUTH2 ${bearer("old")}\r\n`,
      `AUTH XOAUTH2 ${bearer("new")}\r\n`,
    ]);
  });

  it("without a token hook, or when it fails, the session ends with kind auth after QUIT", async () => {
    for (const token of [undefined, () => Promise.reject(new Error("endpoint down"))]) {
      const r = run(token);
      const info = await r.info;
      expect(info.error?.kind).toBe("auth");
      expect(r.transport.writes.at(-1)).toBe("QUIT\r\n");
      expect(r.transport.closes + r.transport.aborts).toBe(1);
    }
  });
});
