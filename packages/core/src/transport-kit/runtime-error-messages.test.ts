import { describe, expect, it } from "vitest";
import { peer, runtimeError, table, UNKNOWN, verdict } from "./runtime-error.test-util.ts";
import { type TransportStage, toTransportError } from "./runtime-error.ts";

const DOING: [TransportStage, string][] = [
  ["connect", "connecting to"],
  ["tls", "the TLS handshake with"],
  ["starttls", "the STARTTLS handshake with"],
  ["read", "reading from"],
  ["write", "writing to"],
];

describe("toTransportError's message names the stage, the server and what the runtime said", () => {
  for (const [stage, doing] of DOING) {
    it(`a network error while ${doing} the server`, () => {
      const error = toTransportError(
        runtimeError({ code: "ECONNREFUSED", message: "refused" }),
        table,
        peer,
        stage,
      );
      expect(error.message).toBe(`${doing} mx.example.test:25 failed: ECONNREFUSED: refused`);
    });
  }

  it("a permission error names the stage too", () => {
    const denied = runtimeError({ name: "NoCapability", message: "net access denied" });
    expect(toTransportError(denied, table, peer, "connect").message).toBe(
      "no permission for connecting to mx.example.test:25: NoCapability: net access denied",
    );
    expect(toTransportError(denied, table, peer, "write").message).toBe(
      "no permission for writing to mx.example.test:25: NoCapability: net access denied",
    );
  });

  it("certificate and TLS failures", () => {
    const expired = runtimeError({ code: "BAD_CERT", message: "certificate has expired" });
    expect(toTransportError(expired, table, peer, "tls").message).toBe(
      "TLS with mx.example.test:25 failed: BAD_CERT: certificate has expired",
    );
    const alert = runtimeError({ code: "ERR_SSL_ALERT", message: "alert 40" });
    expect(toTransportError(alert, table, { host: "::1", port: 465 }, "tls").message).toBe(
      "TLS with [::1]:465 failed: ERR_SSL_ALERT: alert 40",
    );
  });

  it("a server that does not speak TLS gets the port hint", () => {
    const wrong = runtimeError({ code: "WRONG_VERSION", message: "wrong version number" });
    expect(
      toTransportError(wrong, table, { host: "mx.example.test", port: 587 }, "tls").message,
    ).toBe(
      "TLS handshake with mx.example.test:587 failed: the server does not speak TLS on this port " +
        "(WRONG_VERSION: wrong version number). Is it a STARTTLS port (587, 25) used with " +
        "implicit TLS? Use secure: false there, or port 465 for implicit TLS.",
    );
  });

  it("an abort names only the server", () => {
    const abort = runtimeError({ name: "AbortError", message: "the operation was aborted" });
    const error = toTransportError(abort, table, peer, "read");
    expect(error).toMatchObject({ kind: "aborted", retryable: false, detail: undefined });
    expect(error.message).toBe("aborted (mx.example.test:25)");
    expect(error.cause).toBe(abort);
  });
});

describe("what the runtime said: its code or name, then its message", () => {
  const said = (error: unknown) =>
    toTransportError(error, table, peer, "read").message.replace(
      "reading from mx.example.test:25 failed: ",
      "",
    );

  it("a plain Error is its message alone", () => {
    expect(said(new Error("socket hang up"))).toBe("socket hang up");
  });

  it("an error's own name stands in for a missing code", () => {
    expect(said(new TypeError("invalid state"))).toBe("TypeError: invalid state");
  });

  it("an empty code or message counts as none", () => {
    expect(said(Object.assign(new Error("gone"), { code: "" }))).toBe("gone");
    expect(said(new RangeError(""))).toBe("RangeError: RangeError");
    expect(said(new Error(""))).toBe("Error");
  });

  it("a code that is not a string counts as none", () => {
    const numbered = Object.assign(new Error("odd"), { code: 42 });
    const error = toTransportError(numbered, table, peer, "read");
    expect(error).toMatchObject({ kind: "connection", detail: undefined });
    expect(said(numbered)).toBe("odd");
  });

  it("a thrown value that is not an object is its text", () => {
    expect(said("gone")).toBe("gone");
    expect(said(null)).toBe("null");
    expect(said(undefined)).toBe("undefined");
    expect(verdict(toTransportError(null, table, peer, "read"))).toEqual(UNKNOWN);
  });
});
