import { describe, expect, it } from "vitest";
import { DEFAULT_TIMEOUTS } from "./limits.ts";
import { Session } from "./session.ts";

const MINUTE = 60_000;

describe("DEFAULT_TIMEOUTS", () => {
  it("are the RFC 5321 §4.5.3.2 values, with 5 s for QUIT (which has none)", () => {
    expect(DEFAULT_TIMEOUTS).toEqual({
      greeting: 5 * MINUTE, // §4.5.3.2.1 initial 220 message
      command: 5 * MINUTE, // §4.5.3.2.2 MAIL, §4.5.3.2.3 RCPT (and the other commands)
      dataStart: 2 * MINUTE, // §4.5.3.2.4 DATA initiation
      dataBlock: 3 * MINUTE, // §4.5.3.2.5 data block
      dataEnd: 10 * MINUTE, // §4.5.3.2.6 DATA termination
      quit: 5_000,
    });
    expect(Object.isFrozen(DEFAULT_TIMEOUTS)).toBe(true);
  });

  it("are what a Session waits for unless told otherwise, and each is configurable", () => {
    const plain = new Session({ ehloName: "client.example", servername: "mx.example" });
    plain.connected(1000);
    expect(plain.pollTimeout()).toBe(1000 + 5 * MINUTE);
    const tuned = new Session({
      ehloName: "client.example",
      servername: "mx.example",
      timeouts: { greeting: 1234 },
    });
    tuned.connected(1000);
    expect(tuned.pollTimeout()).toBe(2234);
  });
});
