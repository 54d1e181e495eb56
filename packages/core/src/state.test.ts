import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderStatesDocument } from "../scripts/render-states.ts";
import { canTransition, type SessionState, TRANSITIONS } from "./state.ts";

describe("state table", () => {
  it("docs/states.md is the diagram rendered from TRANSITIONS (run scripts/render-states.ts)", () => {
    const committed = readFileSync(new URL("../docs/states.md", import.meta.url), "utf8");
    expect(committed).toBe(renderStatesDocument());
  });

  it("the README carries the same diagram", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const block = /```mermaid\n[\s\S]*?```/.exec(renderStatesDocument())?.[0];
    expect(block).toBeDefined();
    expect(readme).toContain(block);
  });

  it("every state is reachable from connecting, and only closed is final", () => {
    const seen = new Set<SessionState>(["connecting"]);
    const todo: SessionState[] = ["connecting"];
    while (todo.length > 0) {
      for (const edge of TRANSITIONS[todo.pop()!]) {
        if (!seen.has(edge.to)) {
          seen.add(edge.to);
          todo.push(edge.to);
        }
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(TRANSITIONS).sort());
    for (const [state, edges] of Object.entries(TRANSITIONS)) {
      expect(edges.length === 0, state).toBe(state === "closed");
    }
  });

  it("canTransition follows the table, plus quitting and closed from anywhere but closed", () => {
    expect(canTransition("greeting", "ehlo")).toBe(true);
    expect(canTransition("greeting", "ready")).toBe(false);
    expect(canTransition("ready", "auth")).toBe(false);
    expect(canTransition("data", "quitting")).toBe(true);
    expect(canTransition("tls-pending", "closed")).toBe(true);
    expect(canTransition("closed", "ready")).toBe(false);
    expect(canTransition("closed", "closed")).toBe(false);
  });
});

describe("generated docs", () => {
  it("the README's AUTH table is the SASL registry's (run scripts/render-states.ts)", async () => {
    const { withAuthTable } = await import("../scripts/render-states.ts");
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toBe(withAuthTable(readme));
    expect(readme).toContain("| SCRAM-SHA-256 | password");
  });
});
