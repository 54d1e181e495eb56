import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { SmtpError } from "../src/errors.ts";
import {
  findFaultToleranceViolations,
  parseTranscript,
  type ReplaySession,
  type Transcript,
} from "../src/replay/index.ts";
import { Session } from "../src/session.ts";
import type { Action, SessionOptions } from "../src/session-types.ts";

// Fault injection over every recorded conversation: the server's side ended at every byte
// offset, and the connection reset after every client write.

const dir = fileURLToPath(new URL("./transcripts/", import.meta.url));
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".smtp"))
  .sort();

describe("every transcript survives EOF at every offset and a reset after every write", () => {
  for (const name of files) {
    it(name, () => {
      const transcript = parseTranscript(readFileSync(dir + name, "utf8"));
      expect(findFaultToleranceViolations(transcript)).toEqual([]);
    }, 120_000);
  }
});

/** A session that breaks one rule on purpose, to show the checker catches it. */
function mutated(rewrite: (action: Action) => Action | null, swallowEof = false) {
  return (options: SessionOptions): ReplaySession => {
    const inner = new Session(options);
    return new Proxy(inner, {
      get(target, key) {
        if (key === "pollAction")
          return () => {
            for (let a = target.pollAction(); a !== null; a = target.pollAction()) {
              const b = rewrite(a);
              if (b !== null) return b;
            }
            return null;
          };
        if (key === "receiveEof" && swallowEof) return () => {};
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
}

describe("the fault checker catches a broken engine", () => {
  const text = readFileSync(`${dir}pipelining-three-messages-one-round-trip-each.smtp`, "utf8");
  // Parsed on first use, not while collecting (see replay-fixtures.test.ts).
  let parsed: Transcript | undefined;
  const transcript = (): Transcript => (parsed ??= parseTranscript(text));

  it("holds for the real engine on this transcript", () => {
    expect(findFaultToleranceViolations(transcript())).toEqual([]);
  });

  it("a failure reported as a success", () => {
    const lying = mutated((a) =>
      a.type === "result" && !a.result.ok
        ? {
            ...a,
            result: { ok: true, accepted: [], rejected: [], reply: { code: 250, lines: ["ok"] } },
          }
        : a,
    );
    const found = findFaultToleranceViolations(transcript(), { createSession: lying });
    expect(found.some((v) => v.includes("reported sent"))).toBe(true);
  });

  it("an unanswered end of data reported as retryable", () => {
    const eager = mutated((a) =>
      a.type === "result" && !a.result.ok && a.result.error.detail === "maybe-delivered"
        ? { ...a, result: { ...a.result, error: a.result.error.cause as SmtpError } }
        : a,
    );
    const found = findFaultToleranceViolations(transcript(), { createSession: eager });
    expect(found.some((v) => v.includes("instead of maybe-delivered"))).toBe(true);
  });

  it("an engine that does not close at end of stream", () => {
    const deaf = mutated((a) => a, true);
    const found = findFaultToleranceViolations(transcript(), { createSession: deaf });
    expect(found.some((v) => v.includes("did not close after the fault"))).toBe(true);
  });

  it("a result lost", () => {
    const forgetful = mutated((a) => (a.type === "result" && !a.result.ok ? null : a));
    const found = findFaultToleranceViolations(transcript(), { createSession: forgetful });
    expect(found.some((v) => v.includes("no result"))).toBe(true);
  });
});
