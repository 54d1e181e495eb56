import { describe, expect, it } from "vitest";
import { SessionLink } from "./session-link.ts";

// The state the set-up and transaction machines share, on its own (a Session always sets
// `jobs` and never asks for a move its table forbids).

const options = { ehloName: "client.example", servername: "mx.example" };

describe("SessionLink", () => {
  it("refuses a move the transition table forbids, naming both states", () => {
    const link = new SessionLink(options);
    expect(() => link.go("ready")).toThrow(
      new Error("@smtp/core: illegal transition connecting -> ready"),
    );
    expect(link.state).toBe("connecting");
    link.go("greeting");
    expect(link.state).toBe("greeting");
  });

  it("closes before any job side is attached: only the close action", () => {
    const link = new SessionLink(options);
    link.close("quit", undefined);
    expect(link.state).toBe("closed");
    expect(link.actions).toStrictEqual([{ type: "close", reason: "quit" }]);
  });
});
