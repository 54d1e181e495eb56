import { describe, expect, it } from "vitest";
import { findFaultToleranceViolations, parseTranscript } from "../src/replay/index.ts";
import { BATCHES, engine, SEND, type Trace } from "./fault-checker-engines.ts";

// Which faults findFaultToleranceViolations injects, where, and how: seen from the engine's
// side, through a proxy that records every call the checker makes and every write.

const SERVER = BATCHES.join("");
const WRITES = 5; // EHLO; the envelope; the body; its end; QUIT
const RESET =
  'transportFailed connection/ECONNRESET retryable=true "connection reset by the fault injector"';

/** The checker's engines for SEND: unfaulted byte by byte, unfaulted whole, EOFs, resets. */
function traces(stride?: number): Trace[] {
  const all: Trace[] = [];
  const found = findFaultToleranceViolations(
    parseTranscript(SEND),
    stride === undefined
      ? { createSession: engine({}, all) }
      : { createSession: engine({}, all), stride },
  );
  expect(found).toEqual([]);
  return all;
}

/** The server bytes a trace received, joined. */
const received = (trace: Trace): string =>
  trace
    .filter((call) => call.startsWith("receiveData "))
    .map((call) => JSON.parse(call.slice("receiveData ".length)) as string)
    .join("");

const WHOLE: Trace = [
  "connected",
  "send",
  `receiveData ${JSON.stringify(BATCHES[0])}`,
  'write "EHLO client.example.test\\r\\n"',
  `receiveData ${JSON.stringify(BATCHES[1])}`,
  'write "MAIL FROM:<a@example.test>\\r\\nRCPT TO:<b@example.test>\\r\\nDATA\\r\\n"',
  `receiveData ${JSON.stringify(BATCHES[2])}`,
  'bodyChunk "Hi\\n"',
  'write "Hi\\r\\n"',
  "bodyEnd",
  'write ".\\r\\n"',
  `receiveData ${JSON.stringify(BATCHES[3])}`,
  "quit",
  'write "QUIT\\r\\n"',
  `receiveData ${JSON.stringify(BATCHES[4])}`,
];

describe("findFaultToleranceViolations drives the engine through", () => {
  it("one unfaulted replay byte by byte, one in whole batches, an EOF at every offset and a reset after every write", () => {
    const all = traces();
    expect(SERVER.length).toBe(77);
    expect(all).toHaveLength(2 + (SERVER.length + 1) + WRITES);
    const [full, whole] = all as [Trace, Trace];
    const pieces = full.filter((call) => call.startsWith("receiveData "));
    expect(pieces).toHaveLength(SERVER.length);
    expect(received(full)).toBe(SERVER);
    expect(whole).toEqual(WHOLE);
  });

  it("an EOF after exactly `at` server bytes, in whole batches cut there, then nothing more", () => {
    const all = traces();
    for (let at = 0; at <= SERVER.length; at++) {
      const trace = all[2 + at] as Trace;
      expect(received(trace)).toBe(SERVER.slice(0, at));
      const eof = trace.indexOf("receiveEof");
      if (at === SERVER.length) {
        // Every byte went in: the engine closed after 221, so there is nothing to cut.
        expect(trace).toEqual(WHOLE);
        continue;
      }
      expect(eof).toBeGreaterThan(1);
      expect(trace.lastIndexOf("receiveEof")).toBe(eof);
      // After the EOF, only the quit the driver owes once every message has its result.
      expect(trace.slice(eof + 1).filter((call) => call !== "quit")).toEqual([]);
    }
    expect(all[2]).toEqual(["connected", "send", "receiveEof", "quit"]);
    expect(all[2 + 3]).toEqual(["connected", "send", 'receiveData "220"', "receiveEof", "quit"]);
    // At a batch's end, the batch goes in whole and the engine answers before the EOF.
    expect(all[2 + 8]).toEqual([...WHOLE.slice(0, 4), "receiveEof", "quit"]);
    expect(all[2 + 9]).toEqual([...WHOLE.slice(0, 4), 'receiveData "2"', "receiveEof", "quit"]);
  });

  it("a reset (connection/ECONNRESET, retryable) right after each write, then nothing more", () => {
    const all = traces();
    const writeAt = WHOLE.flatMap((call, i) => (call.startsWith("write ") ? [i] : []));
    expect(writeAt).toHaveLength(WRITES);
    for (let afterWrite = 1; afterWrite <= WRITES; afterWrite++) {
      const trace = all[2 + SERVER.length + afterWrite] as Trace;
      const cut = (writeAt[afterWrite - 1] as number) + 1;
      // Once QUIT went out (the last write), the driver has no quit left to call.
      const tail = afterWrite < WRITES ? [RESET, "quit"] : [RESET];
      expect(trace).toEqual([...WHOLE.slice(0, cut), ...tail]);
    }
  });

  it("with a stride, an EOF at every stride-th offset from 0 (the last offset when it falls on one)", () => {
    const eofRuns = (all: Trace[]) =>
      all.slice(2, all.length - WRITES).map((t) => received(t).length);
    expect(eofRuns(traces(10))).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(eofRuns(traces(77))).toEqual([0, 77]);
    expect(eofRuns(traces(76))).toEqual([0, 76]);
    // Below 1, a stride counts as 1.
    expect(eofRuns(traces(0))).toHaveLength(SERVER.length + 1);
    expect(eofRuns(traces(-3))).toHaveLength(SERVER.length + 1);
    // The resets do not depend on the stride.
    expect(
      traces(10)
        .slice(-WRITES)
        .map((t) => t.includes(RESET)),
    ).toEqual(Array(WRITES).fill(true));
  });
});
