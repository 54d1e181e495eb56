import { afterEach, describe, expect, it, vi } from "vitest";
import { findDeno } from "./deno-api.ts";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("findDeno", () => {
  it("is undefined outside Deno", () => {
    expect(findDeno()).toBeUndefined();
  });

  it("returns the global Deno when it has connect, connectTls and startTls", () => {
    const deno = { connect() {}, connectTls() {}, startTls() {} };
    vi.stubGlobal("Deno", deno);
    expect(findDeno()).toBe(deno);
  });

  it("ignores a global Deno that lacks one of them, or is not an object", () => {
    vi.stubGlobal("Deno", { connect() {}, connectTls() {} });
    expect(findDeno()).toBeUndefined();
    vi.stubGlobal("Deno", "deno");
    expect(findDeno()).toBeUndefined();
  });
});
