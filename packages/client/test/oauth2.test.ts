import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createClient, oauth2RefreshToken, SmtpError } from "@smtp/client";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { expectSmtpError, startScriptedServer } from "./helpers.ts";

// OAuth 2: oauth2RefreshToken() against a local token endpoint (node:http on 127.0.0.1), and
// the client's AUTH retry with a refreshed token against servers that expire tokens.

const USER = "user@example.test";
const SECRET = "client-secret-value";
const REFRESH = "refresh-token-value";

/** A token endpoint: issues tok-1, tok-2…; `answer` can replace its reply. */
interface TokenEndpoint {
  url: string;
  requests: Record<string, string>[];
  /** Tokens issued so far, latest last. */
  issued: string[];
  answer: ((n: number) => { status: number; body: string } | undefined) | undefined;
  expiresIn: number | undefined;
  rotate: boolean;
  delay: number;
  close(): Promise<void>;
}

async function startTokenEndpoint(): Promise<TokenEndpoint> {
  const endpoint: TokenEndpoint = {
    url: "",
    requests: [],
    issued: [],
    answer: undefined,
    expiresIn: 3600,
    rotate: false,
    delay: 0,
    close: async () => {},
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      endpoint.requests.push({ ...form, contentType: req.headers["content-type"] ?? "" });
      const n = endpoint.requests.length;
      const reply = () => {
        const custom = endpoint.answer?.(n);
        if (custom !== undefined) {
          res.writeHead(custom.status, { "content-type": "application/json" });
          res.end(custom.body);
          return;
        }
        const token = `tok-${n}`;
        endpoint.issued.push(token);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            access_token: token,
            token_type: "Bearer",
            ...(endpoint.expiresIn === undefined ? {} : { expires_in: endpoint.expiresIn }),
            ...(endpoint.rotate ? { refresh_token: `refresh-${n}` } : {}),
          }),
        );
      };
      if (endpoint.delay > 0) setTimeout(reply, endpoint.delay);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  endpoint.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/token`;
  endpoint.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return endpoint;
}

const rejection = async (promise: unknown): Promise<Error> => {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
};

describe("oauth2RefreshToken against a local token endpoint", () => {
  let endpoint: TokenEndpoint;
  beforeAll(async () => {
    endpoint = await startTokenEndpoint();
  });
  afterEach(() => {
    endpoint.requests.length = 0;
    endpoint.issued.length = 0;
    endpoint.answer = undefined;
    endpoint.expiresIn = 3600;
    endpoint.rotate = false;
    endpoint.delay = 0;
  });
  afterAll(() => endpoint?.close());

  const provider = (extra = {}) =>
    oauth2RefreshToken({
      tokenUrl: endpoint.url,
      clientId: "client-id",
      clientSecret: SECRET,
      refreshToken: REFRESH,
      scope: "https://mail.example/",
      ...extra,
    });

  it("sends the RFC 6749 refresh_token grant and caches the token", async () => {
    const get = provider();
    expect(await get({ expired: false })).toBe("tok-1");
    expect(await get({ expired: false })).toBe("tok-1");
    expect(endpoint.requests).toEqual([
      {
        grant_type: "refresh_token",
        refresh_token: REFRESH,
        client_id: "client-id",
        client_secret: SECRET,
        scope: "https://mail.example/",
        contentType: "application/x-www-form-urlencoded",
      },
    ]);
  });

  it("concurrent callers share one request; expired: true always fetches anew", async () => {
    endpoint.delay = 50;
    const get = provider();
    expect(await Promise.all([1, 2, 3, 4, 5].map(() => get({ expired: false })))).toEqual(
      Array(5).fill("tok-1"),
    );
    expect(await Promise.all([1, 2, 3].map(() => get({ expired: true })))).toEqual(
      Array(3).fill("tok-2"),
    );
    expect(await get({ expired: false })).toBe("tok-2");
    expect(endpoint.requests.length).toBe(2);
  });

  it("renews shortly before expires_in: cached just before, fetched again at the margin", async () => {
    // Only the clock is faked (performance.now); the HTTP exchange runs for real.
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      // A 2 s token is renewed at 90 % of its life (1.8 s), a shorter margin than 60 s.
      endpoint.expiresIn = 2;
      const get = provider();
      expect(await get({ expired: false })).toBe("tok-1");
      vi.advanceTimersByTime(1_799);
      expect(await get({ expired: false })).toBe("tok-1");
      vi.advanceTimersByTime(1);
      expect(await get({ expired: false })).toBe("tok-2");
      // A one-hour token: renewed 60 s before it expires.
      endpoint.expiresIn = 3600;
      const hourly = provider();
      expect(await hourly({ expired: false })).toBe("tok-3");
      vi.advanceTimersByTime(3_540_000 - 1);
      expect(await hourly({ expired: false })).toBe("tok-3");
      vi.advanceTimersByTime(1);
      expect(await hourly({ expired: false })).toBe("tok-4");
    } finally {
      vi.useRealTimers();
    }
  });

  it("uses a rotated refresh token for the next request; no expires_in caches until refused", async () => {
    endpoint.rotate = true;
    endpoint.expiresIn = undefined;
    const get = provider();
    await get({ expired: false });
    expect(await get({ expired: false })).toBe("tok-1");
    await get({ expired: true });
    expect(endpoint.requests.map((r) => r.refresh_token)).toEqual([REFRESH, "refresh-1"]);
  });

  it("reports the endpoint's error code and description, never a secret", async () => {
    endpoint.answer = () => ({
      status: 400,
      body: JSON.stringify({
        error: "invalid_grant",
        error_description: "Token has been expired or revoked.",
      }),
    });
    const error = await rejection(provider()({ expired: false }));
    expect(error.message).toBe(
      "the token endpoint refused the refresh (invalid_grant: Token has been expired or revoked.)",
    );
    endpoint.answer = () => ({ status: 500, body: "<html>oops</html>" });
    expect((await rejection(provider()({ expired: false }))).message).toMatch(/\(HTTP 500\)/);
    endpoint.answer = () => ({
      status: 200,
      body: JSON.stringify({ access_token: "x", token_type: "mac" }),
    });
    expect((await rejection(provider()({ expired: false }))).message).toMatch(
      /mac token, not a bearer/,
    );
    for (const e of [error]) {
      expect(e.message).not.toContain(SECRET);
      expect(e.message).not.toContain(REFRESH);
    }
  });

  it("reads at most 64 KiB of answer", async () => {
    const answer = (length: number) => {
      const body = JSON.stringify({ access_token: "t", token_type: "Bearer", pad: "" });
      return {
        status: 200,
        body: body.replace('"pad":""', `"pad":"${"x".repeat(length - body.length)}"`),
      };
    };
    endpoint.answer = () => answer(64 * 1024);
    expect(await provider()({ expired: false })).toBe("t");
    endpoint.answer = () => answer(64 * 1024 + 1);
    expect((await rejection(provider()({ expired: false }))).message).toMatch(
      /longer than 65536 octets/,
    );
  });

  it("gives up after its timeout", async () => {
    endpoint.delay = 2_000;
    const error = await rejection(provider({ timeout: 100 })({ expired: false }));
    expect(error.message).toMatch(/no answer from the token endpoint in 100 ms/);
  });

  it("refuses bad settings at once: cleartext to another machine, missing fields", () => {
    const base = { tokenUrl: endpoint.url, clientId: "c", refreshToken: "r" };
    expect(() => oauth2RefreshToken(base)).not.toThrow();
    expect(() =>
      oauth2RefreshToken({ ...base, tokenUrl: "https://oauth2.example/token" }),
    ).not.toThrow();
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ tokenUrl: "http://oauth2.example/token" }, /must be https:/],
      [{ tokenUrl: "ftp://127.0.0.1/" }, /must be https:/],
      [{ tokenUrl: "not a url" }, /is not a URL/],
      [{ tokenUrl: "https://u:p@oauth2.example/" }, /must not carry credentials/],
      [{ clientId: "" }, /clientId must be a non-empty string/],
      [{ refreshToken: "a\r\nb" }, /refreshToken must be/],
      [{ timeout: 0 }, /timeout must be a positive number/],
      [{ timeout: 2 ** 31 }, /timeout must be a positive number/],
    ];
    for (const [change, message] of refused) {
      let error: unknown;
      try {
        oauth2RefreshToken({ ...base, ...change } as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SmtpError);
      expect((error as SmtpError).kind).toBe("invalid-input");
      expect((error as Error).message).toMatch(message);
    }
    expect(() => oauth2RefreshToken({ ...base, timeout: 2 ** 31 - 1 })).not.toThrow();
  });
});

describe("a refused access token is refreshed once, on the same connection", () => {
  let endpoint: TokenEndpoint;
  let peer: SmtpServerPeer;
  /** Tokens the SMTP server accepts: the endpoint's latest one, unless `refuseAll`. */
  let refuseAll = false;
  beforeAll(async () => {
    endpoint = await startTokenEndpoint();
    peer = await startSmtpServerPeer({
      tls: "none",
      authMethods: ["XOAUTH2"],
      serverOptions: {
        onAuth(auth, _session, callback) {
          const latest = endpoint.issued.at(-1);
          if (!refuseAll && auth.accessToken === latest)
            return callback(null, { user: auth.username });
          // The token expired: XOAUTH2's 334 error challenge, then 535.
          return callback(null, { data: { status: "401", schemes: "bearer" } });
        },
      },
    });
  });
  afterEach(() => {
    refuseAll = false;
    endpoint.requests.length = 0;
    endpoint.issued.length = 0;
    endpoint.delay = 0;
  });
  afterAll(async () => {
    await Promise.all([endpoint?.close(), peer?.close()]);
  });

  const provider = () =>
    oauth2RefreshToken({
      tokenUrl: endpoint.url,
      clientId: "c",
      clientSecret: SECRET,
      refreshToken: REFRESH,
    });
  const message = { from: USER, to: "rcpt@example.test", subject: "oauth", text: "x" };

  it("XOAUTH2: a cached token the server no longer takes is refreshed, and the send succeeds", async () => {
    const accessToken = provider();
    await accessToken({ expired: false });
    // The server no longer takes the cached token (revoked, or expired early).
    endpoint.issued.length = 0;
    const lines: string[] = [];
    const client = createClient({
      host: peer.host,
      port: peer.port,
      auth: { user: USER, accessToken },
      transcript: (e) => lines.push(`${e.direction} ${e.text}`),
    });
    const connections = peer.connectionCount();
    const before = peer.received.length;
    const info = await client.send(message);
    await client.close();
    expect(info.accepted).toEqual(["rcpt@example.test"]);
    expect(peer.received[before]?.user).toBe(USER);
    expect(peer.connectionCount() - connections).toBe(1);
    expect(lines.filter((l) => l.startsWith("C AUTH XOAUTH2"))).toHaveLength(2);
    expect(lines).toContain("* access token refused: asking for a fresh one");
    expect(endpoint.requests.length).toBe(2);
    expect(lines.join("\n")).not.toContain("tok-2");
  });

  it("a second refusal is kind auth, after exactly one refresh", async () => {
    refuseAll = true;
    const client = createClient({
      host: peer.host,
      port: peer.port,
      auth: { user: USER, accessToken: provider() },
    });
    const error = await expectSmtpError(client.send(message));
    await client.close();
    expect([error.kind, error.code]).toEqual(["auth", 535]);
    expect(endpoint.requests.length).toBe(2);
  });

  it("a static token is not refreshed: kind auth at once", async () => {
    const client = createClient({
      host: peer.host,
      port: peer.port,
      auth: { user: USER, accessToken: "static" },
    });
    const error = await expectSmtpError(client.send(message));
    await client.close();
    expect(error.kind).toBe("auth");
  });

  it("the provider called with { expired: true } may fail: kind auth with its error as cause", async () => {
    const calls: boolean[] = [];
    const client = createClient({
      host: peer.host,
      port: peer.port,
      auth: {
        user: USER,
        accessToken: ({ expired }) => {
          calls.push(expired);
          if (expired) throw new Error("refresh revoked");
          return "stale";
        },
      },
    });
    const error = await expectSmtpError(client.send(message));
    await client.close();
    expect(calls).toEqual([false, true]);
    expect(error.kind).toBe("auth");
    expect((error.cause as Error).message).toBe("refresh revoked");
  });

  it("a refresh that does not come within the command timeout is kind timeout; an abort stops it", async () => {
    refuseAll = true;
    const hanging = ({ expired }: { expired: boolean }) =>
      expired ? new Promise<string>(() => {}) : "stale";
    const slow = createClient({
      host: peer.host,
      port: peer.port,
      auth: { user: USER, accessToken: hanging },
      timeouts: { command: 200 },
    });
    const timeout = await expectSmtpError(slow.send(message));
    await slow.close();
    expect([timeout.kind, timeout.phase, timeout.message]).toEqual([
      "timeout",
      "command",
      "no fresh access token within the command timeout",
    ]);
    const aborting = createClient({
      host: peer.host,
      port: peer.port,
      auth: { user: USER, accessToken: hanging },
    });
    const aborted = await expectSmtpError(
      aborting.send(message, { signal: AbortSignal.timeout(300) }),
    );
    await aborting.close();
    expect(aborted.kind).toBe("aborted");
  });

  it("pooled connections refused at once share one refresh", async () => {
    const accessToken = provider();
    await accessToken({ expired: false });
    endpoint.issued.push("tok-server-side");
    endpoint.delay = 300;
    const client = createClient({
      host: peer.host,
      port: peer.port,
      auth: { user: USER, accessToken },
      pool: { maxConnections: 3 },
    });
    const infos = await Promise.all([1, 2, 3].map(() => client.send(message)));
    await client.close();
    expect(infos.map((i) => i.accepted)).toEqual(Array(3).fill(["rcpt@example.test"]));
    expect(endpoint.requests.length).toBe(2);
  });
});

describe("OAUTHBEARER against a scripted server that expires tokens", () => {
  it("the RFC 7628 failure (334 error, \\x01, 535) leads to one refresh and success", async () => {
    const seen: string[] = [];
    let current = "fresh-token";
    const server = await startScriptedServer((line) => {
      if (line.startsWith("EHLO")) return "250-scripted.example.test\r\n250 AUTH OAUTHBEARER";
      if (line.startsWith("AUTH OAUTHBEARER ")) {
        const token = /auth=Bearer ([^\x01]*)\x01/.exec(
          Buffer.from(line.slice(17), "base64").toString(),
        )?.[1];
        seen.push(token ?? "");
        return token === current
          ? "235 2.7.0 ok"
          : `334 ${Buffer.from('{"status":"invalid_token"}').toString("base64")}`;
      }
      if (line === "AQ==") return "535 5.7.8 token expired";
      if (line.startsWith("MAIL") || line.startsWith("RCPT")) return "250 ok";
      if (line === "DATA") return "354 go";
      if (line === ".") return "250 queued";
      if (line === "QUIT") return "221 bye";
      return "500 what";
    });
    try {
      const calls: boolean[] = [];
      // Its cached token is stale; a refreshed one is what the server takes, until it moves on.
      const client = createClient({
        host: "127.0.0.1",
        port: server.port,
        auth: {
          user: USER,
          accessToken: ({ expired }) => {
            calls.push(expired);
            return expired ? "fresh-token" : "expired-token";
          },
        },
      });
      const message = { from: USER, to: "rcpt@example.test", text: "x" };
      const info = await client.send(message);
      expect(info.accepted).toEqual(["rcpt@example.test"]);
      expect(calls).toEqual([false, true]);
      expect(seen).toEqual(["expired-token", "fresh-token"]);
      // Now even the fresh token is refused: kind auth after one refresh.
      current = "another-token";
      const error = await expectSmtpError(client.send(message));
      await client.close();
      expect([error.kind, error.code, error.command]).toEqual(["auth", 535, "AUTH OAUTHBEARER"]);
      expect(calls).toEqual([false, true, false, true]);
    } finally {
      await server.close();
    }
  });
});
