import { describe, expect, it } from "vitest";
import { fullConfig, parseConfig, quickConfig } from "./config.ts";
import { spread } from "./stats.ts";

describe("parseConfig", () => {
  it("starts from the full preset, or the quick one with --quick", () => {
    expect(parseConfig([])).toEqual(fullConfig());
    expect(parseConfig(["--quick"])).toEqual(quickConfig());
  });

  it("reads flags, with or without =, over BENCH_* variables", () => {
    const config = parseConfig(
      ["--quick", "--n=50", "--delays", "0,20", "--clients", "smtp-pool1,nm-pool1", "--sizes", ""],
      { BENCH_N: "10", BENCH_REPS: "2", BENCH_NO_ENCODE: "1" },
    );
    if (config === "help") throw new Error("unexpected help");
    expect(config.n).toBe(50);
    expect(config.reps).toBe(2);
    expect(config.delays).toEqual([0, 20]);
    expect(config.clients).toEqual(["smtp-pool1", "nm-pool1"]);
    expect(config.sizesMiB).toEqual([]);
    expect(config.encodeOnly).toBe(false);
    expect(config.custom).toBe(true);
    expect(quickConfig().custom).toBe(false);
    // --json alone leaves a preset run a plain one.
    expect(parseConfig(["--quick", "--json", "x.json"])).toMatchObject({
      custom: false,
      jsonPath: "x.json",
    });
    expect(parseConfig(["--quick", "--json", "x.json", "--n", "5"])).toMatchObject({
      custom: true,
    });
  });

  it("--servers selects the real-server mode, at RTT 0, 10 and 40 ms unless --delays says otherwise", () => {
    const config = parseConfig(["--servers", "postfix,exim,smtp-server"]);
    if (config === "help") throw new Error("unexpected help");
    expect(config.servers).toEqual(["postfix", "exim", "smtp-server"]);
    expect(config.delays).toEqual([0, 5, 20]);
    expect(config.windows).toEqual([4, 32]);
    expect(config.sendsInFlight).toBe(64);
    const swept = parseConfig(["--servers=postfix", "--windows", "1,8", "--sends", "16"]);
    if (swept === "help") throw new Error("unexpected help");
    expect([swept.windows, swept.sendsInFlight]).toEqual([[1, 8], 16]);
    expect(() => parseConfig(["--windows", "0"])).toThrow(/--windows/);
    const other = parseConfig(["--servers=exim", "--delays", "5"]);
    if (other === "help") throw new Error("unexpected help");
    expect(other.delays).toEqual([5]);
    expect(fullConfig().servers).toEqual([]);
    expect(() => parseConfig(["--servers", "sendmail"])).toThrow(/unknown server sendmail/);
  });

  it("refuses unknown flags, unknown clients and bad numbers", () => {
    expect(() => parseConfig(["--fast"])).toThrow(/unknown option --fast/);
    expect(() => parseConfig(["--clients", "emailjs"])).toThrow(/unknown client emailjs/);
    expect(() => parseConfig(["--n", "0"])).toThrow(/--n/);
    expect(() => parseConfig(["--delays", "5,x"])).toThrow(/--delays/);
    expect(() => parseConfig(["--reps"])).toThrow(/needs a value/);
    expect(parseConfig(["--help"])).toBe("help");
  });

  it("--no-dkim drops the DKIM-signed cases (they are on in both presets)", () => {
    expect(fullConfig().dkim).toBe(true);
    expect(quickConfig().dkim).toBe(true);
    const config = parseConfig(["--quick", "--no-dkim"]);
    if (config === "help") throw new Error("unexpected help");
    expect(config.dkim).toBe(false);
    expect(config.custom).toBe(true);
  });
});

describe("engine options", () => {
  it("the engine section is on in both presets; --no-engine skips it, --engine-ms sets its runs", () => {
    expect([fullConfig().engine, quickConfig().engine]).toEqual([true, true]);
    expect([fullConfig().engineMs, quickConfig().engineMs]).toEqual([400, 200]);
    const config = parseConfig(["--quick", "--no-engine", "--engine-ms", "50"]);
    if (config === "help") throw new Error("unexpected help");
    expect([config.engine, config.engineMs, config.custom]).toEqual([false, 50, true]);
    expect(() => parseConfig(["--engine-ms", "0"])).toThrow(/--engine-ms/);
  });
});

describe("spread", () => {
  it("gives the median with min and max, ignoring NaN", () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([4, 1, Number.NaN, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(spread([]).n).toBe(0);
  });
});
