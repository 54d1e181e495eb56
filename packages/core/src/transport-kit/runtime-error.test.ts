import { describe, expect, it } from "vitest";
import { SmtpError } from "../errors.ts";
import { peerName } from "./peer.ts";
import { peer, runtimeError, table, UNKNOWN, verdict } from "./runtime-error.test-util.ts";
import { type RuntimeErrorTable, toTransportError } from "./runtime-error.ts";

describe("toTransportError", () => {
  it("maps a network code to a retryable connection error with the code as detail", () => {
    const cause = runtimeError({ code: "ECONNREFUSED", message: "refused" });
    const error = toTransportError(cause, table, peer, "connect");
    expect(error).toMatchObject({ kind: "connection", detail: "ECONNREFUSED", retryable: true });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe("connecting to mx.example.test:25 failed: ECONNREFUSED: refused");
  });

  it("looks names up when the code says nothing, with the row's own detail", () => {
    const error = toTransportError(runtimeError({ name: "Refused" }), table, peer, "read");
    expect(error).toMatchObject({ kind: "connection", detail: "ECONNREFUSED" });
    expect(error.message).toContain("reading from");
  });

  it("certificates, TLS families and codeless messages are tls and not retryable", () => {
    expect(toTransportError(runtimeError({ code: "BAD_CERT" }), table, peer, "tls")).toMatchObject({
      kind: "tls",
      detail: "BAD_CERT",
      retryable: false,
    });
    expect(
      toTransportError(runtimeError({ code: "ERR_SSL_ALERT" }), table, peer, "starttls"),
    ).toMatchObject({ kind: "tls", detail: "ERR_SSL_ALERT" });
    expect(
      toTransportError(runtimeError({ message: "unknown issuer" }), table, peer, "tls"),
    ).toMatchObject({ kind: "tls", detail: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    expect(
      toTransportError(runtimeError({ message: "bad certificate" }), table, peer, "read"),
    ).toMatchObject({ kind: "tls", detail: "certificate" });
  });

  it("not-tls is the port hint on a handshake, and starttls-injection after STARTTLS", () => {
    const cause = runtimeError({ code: "WRONG_VERSION" });
    const implicit = toTransportError(cause, table, peer, "tls");
    expect(implicit).toMatchObject({ kind: "tls", detail: "not-tls", retryable: false });
    expect(implicit.message).toMatch(/secure: false.*465/);
    expect(toTransportError(cause, table, peer, "starttls")).toMatchObject({
      kind: "protocol",
      detail: "starttls-injection",
      command: "STARTTLS",
      cause,
    });
    expect(
      toTransportError(runtimeError({ message: "plaintext answer" }), table, peer, "tls").detail,
    ).toBe("not-tls");
  });

  it("a permission the process lacks is not retryable", () => {
    const error = toTransportError(runtimeError({ name: "NoCapability" }), table, peer, "connect");
    expect(error).toMatchObject({ kind: "connection", retryable: false, detail: "NOCAPABILITY" });
  });

  it("the most telling error of a cause chain or an AggregateError wins", () => {
    const chained = new Error("outer", { cause: runtimeError({ code: "BAD_CERT" }) });
    const aggregate = new AggregateError(
      [runtimeError({ code: "ECONNREFUSED" }), chained],
      "all attempts failed",
    );
    expect(toTransportError(aggregate, table, peer, "connect")).toMatchObject({
      kind: "tls",
      detail: "BAD_CERT",
      cause: aggregate,
    });
  });

  it("a cause chain that loops is walked once", () => {
    const a = new Error("a") as Error & { cause?: unknown };
    const b = new Error("b", { cause: a });
    a.cause = b;
    expect(toTransportError(a, table, peer, "read").kind).toBe("connection");
  });

  it("an AbortError is aborted; an SmtpError passes through", () => {
    const abort = runtimeError({ name: "AbortError" });
    expect(toTransportError(abort, table, peer, "connect")).toMatchObject({ kind: "aborted" });
    const own = new SmtpError({ kind: "protocol", message: "x" });
    expect(toTransportError(own, table, peer, "read")).toBe(own);
  });

  it("an unknown error is tls during a handshake and a retryable connection error otherwise", () => {
    const odd = runtimeError({ code: "EODD", message: "odd" });
    expect(toTransportError(odd, table, peer, "starttls")).toMatchObject({
      kind: "tls",
      retryable: false,
      detail: "EODD",
    });
    expect(toTransportError(odd, table, peer, "write")).toMatchObject({
      kind: "connection",
      retryable: true,
      detail: "EODD",
    });
    const text = toTransportError("gone", table, peer, "read");
    expect(text).toMatchObject({ kind: "connection", detail: undefined, cause: "gone" });
    expect(text.message).toContain("gone");
  });
});

describe("toTransportError reads the runtime's table", () => {
  it("a table with neither code families nor message patterns (Deno's, Cloudflare's)", () => {
    const codesOnly: RuntimeErrorTable = { codes: { ECONNREFUSED: "network" } };
    const odd = runtimeError({ code: "EODD", message: "odd" });
    expect(toTransportError(odd, codesOnly, peer, "read")).toMatchObject({
      kind: "connection",
      retryable: true,
      detail: "EODD",
    });
    const codeless = runtimeError({ message: "certificate rejected" });
    expect(verdict(toTransportError(codeless, codesOnly, peer, "read"))).toEqual(UNKNOWN);
  });

  it("a code family gives its meaning outside a handshake too", () => {
    const alert = runtimeError({ code: "ERR_SSL_ALERT", message: "alert 40" });
    expect(toTransportError(alert, table, peer, "read")).toMatchObject({
      kind: "tls",
      retryable: false,
      detail: "ERR_SSL_ALERT",
    });
  });

  it("code families are tried on codes only, never on an error without one", () => {
    const catchAll: RuntimeErrorTable = { codes: {}, codePatterns: [[/.*/, "network"]] };
    const codeless = runtimeError({ message: "bad record" });
    expect(toTransportError(codeless, catchAll, peer, "tls")).toMatchObject({
      kind: "tls",
      retryable: false,
      detail: undefined,
    });
  });

  it("an error with neither code nor name matches no row, not even one named undefined", () => {
    const odd: RuntimeErrorTable = { codes: { undefined: "permission" } };
    const bare = { message: "no code, no name" };
    expect(verdict(toTransportError(bare, odd, peer, "connect"))).toEqual(UNKNOWN);
  });

  it("a TLS failure known by its message alone has no detail", () => {
    const alert = runtimeError({ message: "handshake alert: bad record mac" });
    const error = toTransportError(alert, table, peer, "read");
    expect(error).toMatchObject({ kind: "tls", retryable: false, detail: undefined });
    expect(error.message).toBe(
      "TLS with mx.example.test:25 failed: handshake alert: bad record mac",
    );
  });

  it("an unknown error is tls during the implicit TLS handshake", () => {
    const odd = runtimeError({ code: "EODD", message: "odd" });
    const error = toTransportError(odd, table, peer, "tls");
    expect(error).toMatchObject({ kind: "tls", retryable: false, detail: "EODD" });
    expect(error.message).toBe("the TLS handshake with mx.example.test:25 failed: EODD: odd");
  });
});

describe("peerName", () => {
  it("brackets an IPv6 address", () => {
    expect(peerName({ host: "::1", port: 25 })).toBe("[::1]:25");
    expect(peerName({ host: "127.0.0.1", port: 25 })).toBe("127.0.0.1:25");
  });
});
