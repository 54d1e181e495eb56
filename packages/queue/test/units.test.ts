import { SmtpError } from "@smtp/client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, retryDelay } from "../src/backoff.ts";
import { classifyFailure, describeFailure } from "../src/classify.ts";
import { ClientCache } from "../src/clients.ts";
import { destinationOf } from "../src/destination.ts";
import { LocalLimiter } from "../src/local-limiter.ts";
import { fromStoredMessage, toStoredMessage } from "../src/message-data.ts";
import { MailMetrics } from "../src/metrics.ts";
import { checkMessage } from "../src/validate.ts";

const reply = (code: number, enhancedCode?: string) => ({
  code,
  lines: ["text"],
  ...(enhancedCode ? { enhancedCode } : {}),
});

describe("retryDelay", () => {
  const options = { delay: 100, maxDelay: 1000, jitter: 0.5 };
  it("doubles from delay, caps at maxDelay, and takes off up to jitter of it", () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => retryDelay(n, options, () => 0))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(retryDelay(1, options, () => 0.999_999)).toBe(50);
    expect(retryDelay(2, { ...options, jitter: 0 }, () => 0.9)).toBe(200);
  });
  it("stays within [(1 − jitter)·d, d] (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const d = Math.min(1000, 100 * 2 ** (n - 1));
          const delay = retryDelay(n, options, () => r);
          return delay >= Math.round(d * 0.5) && delay <= d;
        },
      ),
    );
  });
  it("has defaults of 5 s, 30 min and 0.5", () => {
    expect(DEFAULT_RETRY).toEqual({ delay: 5000, maxDelay: 1_800_000, jitter: 0.5 });
  });
});

describe("classifyFailure", () => {
  it("fails 5xx and invalid input, retries 4xx and network errors, slows down on 421", () => {
    const e = (options: ConstructorParameters<typeof SmtpError>[0]) => new SmtpError(options);
    expect(classifyFailure(e({ kind: "rejected", message: "m", reply: reply(550, "5.1.1") }))).toBe(
      "permanent",
    );
    expect(classifyFailure(e({ kind: "rejected", message: "m", reply: reply(599) }))).toBe(
      "permanent",
    );
    expect(classifyFailure(e({ kind: "rejected", message: "m", reply: reply(499) }))).toBe("retry");
    expect(classifyFailure(e({ kind: "rejected", message: "m", reply: reply(400) }))).toBe("retry");
    expect(classifyFailure(e({ kind: "rejected", message: "m", reply: reply(451) }))).toBe("retry");
    expect(classifyFailure(e({ kind: "connection", message: "m", reply: reply(421) }))).toBe(
      "slow-down",
    );
    expect(classifyFailure(e({ kind: "invalid-input", message: "m" }))).toBe("permanent");
    expect(classifyFailure(e({ kind: "connection", message: "reset" }))).toBe("retry");
    expect(classifyFailure(e({ kind: "timeout", message: "late" }))).toBe("retry");
    expect(classifyFailure(e({ kind: "tls", message: "bad cert" }))).toBe("permanent");
    expect(classifyFailure(e({ kind: "auth", message: "no", reply: reply(535, "5.7.8") }))).toBe(
      "permanent",
    );
    expect(classifyFailure(new Error("redis went away"))).toBe("retry");
    const maybe = e({
      kind: "connection",
      message: "m",
      detail: "maybe-delivered",
      retryable: false,
    });
    expect(classifyFailure(maybe)).toBe("retry");
    expect(classifyFailure(maybe, false)).toBe("permanent");
    // Accepted under another envelope (a 250 to a refused MAIL's data): still "maybe".
    const accepted = e({
      kind: "protocol",
      message: "m",
      detail: "maybe-delivered",
      reply: reply(250),
    });
    expect(classifyFailure(accepted)).toBe("retry");
  });
  it("describes the reply as code, enhanced code and text", () => {
    expect(
      describeFailure(
        new SmtpError({ kind: "rejected", message: "m", reply: reply(550, "5.1.1") }),
      ),
    ).toBe("550 5.1.1 text");
    expect(describeFailure(new SmtpError({ kind: "timeout", message: "late" }))).toBe(
      "timeout: late",
    );
    expect(describeFailure("x")).toBe("x");
  });
});

describe("stored messages", () => {
  const text = fc.string({ maxLength: 20 });
  it("round-trip through JSON (property)", () => {
    fc.assert(
      fc.property(
        text,
        fc.option(fc.date({ noInvalidDate: true }), { nil: undefined }),
        fc.array(fc.oneof(text, fc.uint8Array({ maxLength: 40 })), { maxLength: 3 }),
        (subject, date, contents) => {
          const input = {
            from: "a@example.test",
            to: ["b@example.test"],
            subject,
            ...(date ? { date } : {}),
            attachments: contents.map((content, i) => ({ filename: `f${i}`, content })),
          };
          const stored = JSON.parse(JSON.stringify(toStoredMessage(input)));
          const back = fromStoredMessage(stored, "<id@example.test>");
          expect(back).toEqual({ ...input, messageId: "<id@example.test>" });
        },
      ),
    );
  });
  it("refuses functions, class instances, NaN and deep nesting", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 40; i++) deep = [deep];
    for (const bad of [{ x: () => 1 }, { x: new Map() }, { x: Number.NaN }, { x: deep }]) {
      expect(() => toStoredMessage({ from: "a@example.test", headers: bad as never })).toThrow(
        SmtpError,
      );
    }
  });
});

describe("checkMessage", () => {
  it("uses SMTPUTF8 only when the addresses need it", () => {
    expect(checkMessage({ from: "a@example.test", to: "b@bücher.example" }).envelope.to).toEqual([
      "b@xn--bcher-kva.example",
    ]);
    expect(checkMessage({ from: "a@example.test", to: "jörg@example.test" }).envelope.to).toEqual([
      "jörg@example.test",
    ]);
  });
  it("keeps the null sender", () => {
    expect(
      checkMessage({ from: "a@example.test", to: "b@example.test", envelope: { from: null } })
        .envelope.from,
    ).toBe("");
  });
});

describe("destinationOf", () => {
  it("is host:port, with the client's default ports", () => {
    expect(destinationOf({ host: "SMTP.Example.com" })).toBe("smtp.example.com:587");
    expect(destinationOf({ host: "smtp.example.com", secure: true })).toBe("smtp.example.com:465");
    expect(destinationOf({ host: "::1", port: 25 })).toBe("::1:25");
  });
});

describe("ClientCache", () => {
  const fake = () => {
    const closed: number[] = [];
    let n = 0;
    const create = () => {
      const id = ++n;
      return {
        id,
        send: async () => ({}) as never,
        verify: async () => ({}) as never,
        close: async () => {
          closed.push(id);
        },
      };
    };
    return { create, closed };
  };

  it("shares one client between equal options, by identity or content; functions count by identity", () => {
    const { create } = fake();
    const cache = new ClientCache(10, create);
    const options = { host: "h", port: 25 };
    const a = cache.get(options);
    expect(cache.get(options)).toBe(a);
    expect(cache.get({ host: "h", port: 25 })).toBe(a);
    expect(cache.get({ host: "h", port: 26 })).not.toBe(a);
    const f = () => {};
    expect(cache.get({ host: "h", transcript: f })).toBe(cache.get({ host: "h", transcript: f }));
    expect(cache.get({ host: "h", transcript: () => {} })).not.toBe(
      cache.get({ host: "h", transcript: f }),
    );
    expect(cache.get({ host: "h", tls: { ca: new Uint8Array([1]) } })).not.toBe(
      cache.get({ host: "h", tls: { ca: new Uint8Array([2]) } }),
    );
  });

  it("keeps at most max clients, closing the least recently used", async () => {
    const { create, closed } = fake();
    const cache = new ClientCache(2, create);
    cache.get({ host: "a" });
    cache.get({ host: "b" });
    cache.get({ host: "a" });
    cache.get({ host: "c" });
    expect(cache.size).toBe(2);
    expect(closed).toEqual([2]);
    await cache.closeAll();
    expect(closed.sort()).toEqual([1, 2, 3]);
    expect(cache.size).toBe(0);
  });
});

describe("LocalLimiter", () => {
  it("starts at most max per duration, in order", async () => {
    const limiter = new LocalLimiter({ max: 3, duration: 100 });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, () => limiter.take().then(() => starts.push(performance.now()))),
    );
    for (let i = 3; i < starts.length; i++)
      expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(99);
  });
});

describe("MailMetrics", () => {
  it("counts, buckets latencies and writes Prometheus' text format", () => {
    const metrics = new MailMetrics();
    metrics.observeSent(0.004, 0.002);
    metrics.observeSent(0.2, 0.1);
    metrics.observeSent(5000, 1);
    metrics.failed++;
    metrics.retried += 2;
    const s = metrics.snapshot();
    expect(s).toMatchObject({ sent: 3, failed: 1, retried: 2, deferred: 0, skipped: 0, active: 0 });
    expect(s.latency.count).toBe(3);
    expect(s.latency.buckets[0]).toEqual([0.005, 1]);
    expect(s.latency.buckets.at(-1)).toEqual([1800, 2]);
    const text = metrics.toPrometheus({ queue: 'm"a\\il' });
    expect(text).toContain('smtp_queue_sent_total{queue="m\\"a\\\\il"} 3');
    expect(text).toContain("# TYPE smtp_queue_latency_seconds histogram");
    expect(text).toContain('smtp_queue_latency_seconds_bucket{queue="m\\"a\\\\il",le="+Inf"} 3');
    expect(text).toContain('smtp_queue_latency_seconds_bucket{queue="m\\"a\\\\il",le="0.25"} 2');
    expect(new MailMetrics().toPrometheus()).toContain("smtp_queue_failed_total 0");
  });
});
