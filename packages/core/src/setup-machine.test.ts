import { describe, expect, it } from "vitest";
import { SessionLink } from "./session-link.ts";
import { SetupMachine } from "./setup-machine.ts";

describe("SetupMachine", () => {
  it("an event no row takes is an engine bug, named with the state and the event", () => {
    const machine = new SetupMachine(
      new SessionLink({ ehloName: "client.example", servername: "mx" }),
    );
    expect(() => machine.dispatch({ type: "token", token: "t" })).toThrow(
      new Error("@smtp/core: no set-up transition from connecting on token"),
    );
    expect(machine.link.state).toBe("connecting");
  });
});
