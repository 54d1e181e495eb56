import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkProxyUrl, parseProxyUrl, proxyFromUrl } from "./proxy-url.ts";

/** What `fn` throws (its message), or "ok". */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("proxy URLs", () => {
  it("socks5, socks5h and socks are SOCKS5 (port 1080); http is HTTP CONNECT (port 80)", () => {
    expect(parseProxyUrl("socks5://127.0.0.1")).toMatchObject({ protocol: "socks5", port: 1080 });
    expect(parseProxyUrl("SOCKS5H://proxy.example:9050/")).toMatchObject({
      protocol: "socks5",
      host: "proxy.example",
      port: 9050,
    });
    expect(parseProxyUrl("socks://[::1]:1081")).toMatchObject({ host: "::1", port: 1081 });
    expect(parseProxyUrl("http://proxy.example")).toMatchObject({ protocol: "http", port: 80 });
  });

  it("user and password are percent-decoded; the last @ ends them", () => {
    expect(parseProxyUrl("socks5://us%C3%A9r:p%40ss:w@rd@h:1")).toMatchObject({
      user: "usér",
      pass: "p@ss:w@rd",
      host: "h",
    });
    expect(parseProxyUrl("http://only-user@h:3128")).toMatchObject({
      user: "only-user",
      pass: undefined,
    });
  });

  it.each([
    ["https://h:3128", /https:\/\/ proxies/],
    ["socks4://h:1080", /SOCKS4/],
    ["ftp://h", /must start with/],
    ["h:1080", /must start with/],
    ["socks5://h:0", /port/],
    ["socks5://h:65536", /port/],
    ["socks5://h:1080/path", /path/],
    ["socks5://h:1080?x=1", /path, query/],
    ["socks5://u:%ZZsecret@h", /bad "%" escape/],
    ["socks5://:secret@h", /user name is empty/],
    ["socks5://u@h", /needs its password/],
    ["socks5://h o", /without spaces/],
  ])("refuses %s without quoting it", (url, message) => {
    let error: unknown;
    try {
      proxyFromUrl(url);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ kind: "invalid-input", message: expect.stringMatching(message) });
    expect((error as Error).message).not.toContain("secret");
  });

  it("the proxy it makes tells its protocol, host, port and a URL without credentials", () => {
    const proxy = proxyFromUrl("socks5://me:s3cret-pw@[::1]:1081");
    expect({ ...proxy }).toEqual({
      protocol: "socks5",
      host: "::1",
      port: 1081,
      url: "socks5://[::1]:1081",
    });
    expect(JSON.stringify({ ...proxy })).not.toContain("s3cret");
    expect(proxyFromUrl("http://me:s3cret-pw@proxy:3128").url).toBe("http://proxy:3128");
  });

  it.each([
    ["socks5://u:p@h:1080", "ok"],
    ["http://u@h:3128", "ok"],
    ["socks5://u@h", "needs its password"],
    [`socks5://${"u".repeat(256)}:p@h`, "user must be 1 to 255 bytes"],
    [`socks5://u:${"p".repeat(256)}@h`, "pass must be 1 to 255 bytes"],
    ["socks5://u:@h", "pass must be 1 to 255 bytes"],
    ["http://a%3Ab:p@h", "must not contain ':'"],
    ["http://u:p%0A@h", "control characters"],
  ])("checkProxyUrl refuses what making the proxy would: %s", (url, wanted) => {
    const got = outcome(() => checkProxyUrl(url));
    expect(got).toContain(wanted);
    expect(outcome(() => proxyFromUrl(url))).toBe(got);
  });

  it("checkProxyUrl throws exactly when proxyFromUrl does, with the same message (property)", () => {
    const part = fc.constantFrom(
      "u",
      "p",
      "%41",
      "%ZZ",
      "%3A",
      "%0A",
      ":",
      "@",
      "",
      "x".repeat(256),
    );
    const url = fc
      .tuple(
        fc.constantFrom("socks5://", "socks5h://", "socks://", "http://", "https://", "ftp://"),
        fc.option(fc.tuple(part, fc.option(part)), { nil: undefined }),
        fc.constantFrom("h", "[::1]", "127.0.0.1", "", "h o", "[x]"),
        fc.constantFrom("", ":1", ":0", ":65535", ":65536", "/", "/p"),
      )
      .map(([scheme, userinfo, host, rest]) => {
        const auth =
          userinfo === undefined
            ? ""
            : `${userinfo[0]}${userinfo[1] === null ? "" : `:${userinfo[1]}`}@`;
        return `${scheme}${auth}${host}${rest}`;
      });
    fc.assert(
      fc.property(url, (u) => {
        expect(outcome(() => checkProxyUrl(u))).toBe(outcome(() => proxyFromUrl(u)));
      }),
    );
  });
});
