import { describe, expect, it } from "vitest";
import type { SmtpError } from "../errors.ts";
import { peer, runtimeError, table, UNKNOWN, verdict } from "./runtime-error.test-util.ts";
import { type RuntimeFailureKind, toTransportError } from "./runtime-error.ts";

/** `depth` errors, each the `cause` of the one before; the innermost is `innermost`. */
function causeChain(depth: number, innermost: Error): Error {
  let error = innermost;
  for (let i = 1; i < depth; i++) error = runtimeError({ message: `layer ${i}`, cause: error });
  return error;
}

const certificate = () => runtimeError({ code: "BAD_CERT" });

const CERTIFICATE = { kind: "tls", detail: "BAD_CERT", retryable: false };

describe("toTransportError walks at most 16 errors of a cause chain", () => {
  it("the 16th error of a chain counts, the 17th does not", () => {
    expect(verdict(toTransportError(causeChain(15, certificate()), table, peer, "read"))).toEqual(
      CERTIFICATE,
    );
    expect(verdict(toTransportError(causeChain(16, certificate()), table, peer, "read"))).toEqual(
      CERTIFICATE,
    );
    expect(verdict(toTransportError(causeChain(17, certificate()), table, peer, "read"))).toEqual(
      UNKNOWN,
    );
  });

  it("an error met twice takes one place", () => {
    const plain = runtimeError({ message: "attempt" });
    const twice = new AggregateError([...Array(16).fill(plain), certificate()], "all failed");
    expect(verdict(toTransportError(twice, table, peer, "read"))).toEqual(CERTIFICATE);
  });

  it("holes (null, undefined) in a cause or an AggregateError take no place", () => {
    const nullCause = runtimeError({ message: "outer", cause: null });
    expect(verdict(toTransportError(nullCause, table, peer, "read"))).toEqual(UNKNOWN);
    const distinct = Array.from({ length: 14 }, (_, i) => runtimeError({ message: `try ${i}` }));
    // With the AggregateError itself: 1 + 14 + the certificate error = 16.
    const holes = new AggregateError(
      [undefined, null, ...distinct, undefined, null, certificate()],
      "all failed",
    );
    expect(verdict(toTransportError(holes, table, peer, "read"))).toEqual(CERTIFICATE);
  });

  it("only objects are walked: a thrown function's cause is not followed", () => {
    const thrown = Object.assign(() => undefined, { cause: certificate() });
    expect(verdict(toTransportError(thrown, table, peer, "read"))).toEqual(UNKNOWN);
  });
});

describe("toTransportError: the most telling meaning of a chain wins", () => {
  // From the most telling to the least, each with what it reports at stage "tls".
  const ranked: [RuntimeFailureKind, () => Error, Partial<SmtpError>][] = [
    ["aborted", () => runtimeError({ name: "AbortError" }), { kind: "aborted" }],
    ["not-tls", () => runtimeError({ code: "WRONG_VERSION" }), { detail: "not-tls" }],
    ["certificate", certificate, { detail: "BAD_CERT" }],
    ["tls", () => runtimeError({ code: "ERR_SSL_ALERT" }), { detail: "ERR_SSL_ALERT" }],
    ["permission", () => runtimeError({ name: "NoCapability" }), { detail: "NOCAPABILITY" }],
    ["network", () => runtimeError({ code: "ECONNREFUSED" }), { detail: "ECONNREFUSED" }],
  ];
  for (const [i, [winner, make, reported]] of ranked.entries()) {
    for (const [loser, makeLoser] of ranked.slice(i + 1)) {
      it(`${winner} beats ${loser}, first or last`, () => {
        const inner = new AggregateError([makeLoser(), make()], "all failed");
        expect(toTransportError(inner, table, peer, "tls")).toMatchObject(reported);
        const first = new AggregateError([make(), makeLoser()], "all failed");
        expect(toTransportError(first, table, peer, "tls")).toMatchObject(reported);
      });
    }
  }

  it("between two errors of the same meaning, the outer one is reported", () => {
    const inner = runtimeError({ message: "unknown issuer" });
    const outer = runtimeError({ code: "BAD_CERT", message: "rejected", cause: inner });
    const error = toTransportError(outer, table, peer, "tls");
    expect(error).toMatchObject({ kind: "tls", detail: "BAD_CERT", cause: outer });
    expect(error.message).toBe("TLS with mx.example.test:25 failed: BAD_CERT: rejected");
  });
});
