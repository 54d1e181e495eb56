import { createClient } from "@smtp/client";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "../src/resolve-options.ts";
import { expectInvalidInput } from "./helpers.ts";

// Every millisecond option, at its bounds: NaN and Infinity are never a delay, 0 only where
// it means "at once", and 2^31-1 is the longest a timer holds.

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options with one millisecond field set, by its dotted name. */
function withDelay(field: string, value: number): Record<string, unknown> {
  const [group, key] = field.split(".") as [string, string];
  if (group === "timeouts") return { host: "h.example", timeouts: { [key]: value } };
  if (key === "interval")
    return { host: "h.example", pool: { rateLimit: { messages: 1, interval: value } } };
  return { host: "h.example", pool: { [key]: value } };
}

const positives = [
  "timeouts.connect",
  "timeouts.greeting",
  "timeouts.command",
  "timeouts.data",
  "pool.interval",
];
const nonNegatives = ["pool.idleTimeout", "pool.noopAfterIdle"];

describe("millisecond options", () => {
  it.each([...positives, ...nonNegatives])("%s refuses NaN, ±Infinity, -1 and 2^31", (field) => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -1,
      2 ** 31,
    ]) {
      const error = expectInvalidInput(() => createClient(withDelay(field, bad) as never));
      expect(error.message).toContain(field.replace("pool.interval", "pool.rateLimit.interval"));
    }
  });

  it.each(positives)("%s refuses 0 and keeps 1 and 2^31-1", (field) => {
    expectInvalidInput(() => createClient(withDelay(field, 0) as never));
    for (const good of [1, MAX_TIMER_MS]) {
      const resolved = resolveOptions(withDelay(field, good) as never);
      const [group, key] = field.split(".") as [string, string];
      const value =
        group === "timeouts"
          ? resolved.timeouts[key as keyof typeof resolved.timeouts]
          : resolved.pool.rateLimit?.interval;
      expect(value).toBe(good);
    }
  });

  it.each(nonNegatives)("%s keeps 0 (at once) and 2^31-1", (field) => {
    const key = field.split(".")[1] as "idleTimeout" | "noopAfterIdle";
    for (const good of [0, MAX_TIMER_MS]) {
      expect(resolveOptions({ host: "h.example", pool: { [key]: good } }).pool[key]).toBe(good);
    }
  });
});
