import { type JobId, type SendResult, Session, SmtpError } from "@smtp/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Driver } from "../src/drive.ts";
import { FakeTransport } from "./fakes.ts";

// The driver's answer to the session's need-token: the owner's token hook, or an auth error
// when there is none.

const bearer = (token: string) =>
  Buffer.from(`user=u@example.test\x01auth=Bearer ${token}\x01\x01`).toString("base64");

function run(token?: () => Promise<string>, signal?: AbortSignal) {
  const transport = new FakeTransport((line) => {
    if (line.startsWith("EHLO")) return "250-mx.example\r\n250 AUTH XOAUTH2\r\n";
    if (line === `AUTH XOAUTH2 ${bearer("new")}`) return "235 2.7.0 ok\r\n";
    if (line.startsWith("AUTH XOAUTH2")) return "535 5.7.8 token expired\r\n";
    if (line === "QUIT") return "221 bye\r\n";
    return undefined;
  });
  transport.push(new TextEncoder().encode("220 mx.example ESMTP\r\n"));
  let reads = 0;
  const read = transport.read.bind(transport);
  transport.read = () => {
    reads++;
    return read();
  };
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
    { now: () => Date.now(), signal },
  );
  session.connected(Date.now());
  return { info: driver.run(), transport, isReady: () => ready, reads: () => reads };
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

describe("the wait for a token", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("without a token hook the session ends with kind auth: no access token provider", async () => {
    const info = await run().info;
    expect(info).toEqual({ reason: "error", error: expect.any(SmtpError) });
    expect(info.error).toMatchObject({ kind: "auth", message: "no access token provider" });
  });

  it("a hook that fails with a plain error gives kind auth: no fresh access token, with that cause", async () => {
    const cause = new Error("endpoint down");
    const info = await run(() => Promise.reject(cause)).info;
    expect(info.error).toMatchObject({ kind: "auth", message: "no fresh access token", cause });
  });

  it("a hook's own SmtpError is the session's error as it is", async () => {
    const own = new SmtpError({ kind: "auth", message: "consent revoked", retryable: false });
    expect((await run(() => Promise.reject(own)).info).error).toBe(own);
  });

  /** Starts a run whose token hook never answers; returns it with the reads made until the hook was asked. */
  async function stalledToken(signal?: AbortSignal) {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let readsAtAsk = -1;
    const r = run(() => {
      readsAtAsk = r.reads();
      return new Promise(() => {});
    }, signal);
    await vi.advanceTimersByTimeAsync(10);
    expect(readsAtAsk).toBeGreaterThan(0);
    return { r, readsAtAsk };
  }

  it("a token that does not come within the session's deadline times the session out, with no more reads", async () => {
    const { r, readsAtAsk } = await stalledToken();
    await vi.advanceTimersByTimeAsync(300_000);
    const info = await r.info;
    expect(info).toMatchObject({
      reason: "timeout",
      error: { kind: "timeout", message: "no fresh access token within the command timeout" },
    });
    expect(r.reads()).toBe(readsAtAsk);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an abort while the token is awaited fails the session as aborted at once, with no more reads", async () => {
    const controller = new AbortController();
    const { r, readsAtAsk } = await stalledToken(controller.signal);
    controller.abort(new Error("user gave up"));
    const info = await r.info;
    expect(info).toMatchObject({
      reason: "error",
      error: { kind: "aborted", message: "the operation was aborted" },
    });
    expect(r.reads()).toBe(readsAtAsk);
    expect(r.transport.aborts).toBe(1);
  });
});
