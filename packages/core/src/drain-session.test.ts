import { describe, expect, it } from "vitest";
import { waitsWithoutDeadline } from "./drain-session.ts";
import { Harness, ready } from "./session.test-util.ts";
import type { SessionApi } from "./session-types.ts";

// `waitsWithoutDeadline` tells a broken engine (waiting with no deadline, R11) from a session
// that is closed, idle, or waiting with a deadline.

describe("waitsWithoutDeadline", () => {
  it("is false for the real session in each of its waits", () => {
    const h = new Harness().connect();
    expect(waitsWithoutDeadline(h.session)).toBe(false);
    const idle = ready();
    expect(waitsWithoutDeadline(idle.session)).toBe(false);
    idle.session.noop(idle.now);
    expect(waitsWithoutDeadline(idle.session)).toBe(false);
  });

  it("is false once closed, where there is no deadline and the session is not idle", () => {
    const h = ready();
    h.session.receiveEof(h.now);
    expect(h.session.state).toBe("closed");
    expect(h.session.idle).toBe(false);
    expect(h.session.pollTimeout()).toBeNull();
    expect(waitsWithoutDeadline(h.session)).toBe(false);
  });

  it("is true for an engine that is neither closed nor idle and has no deadline", () => {
    const broken = (state: SessionApi["state"]) =>
      ({ state, idle: false, pollTimeout: () => null }) as unknown as SessionApi;
    expect(waitsWithoutDeadline(broken("ready"))).toBe(true);
    expect(waitsWithoutDeadline(broken("closed"))).toBe(false);
  });
});
