import { describe, expect, it } from "vitest";
import { bucketOf, summarize } from "./profile-summary.ts";

describe("profile-summary", () => {
  it("buckets by package, library, Node.js module and V8 category", () => {
    expect(bucketOf("file:///w/packages/core/dist/chunk-A.js", "f")).toBe("@smtp/core");
    expect(bucketOf("file:///w/node_modules/nodemailer/lib/x.js", "f")).toBe("nodemailer");
    expect(bucketOf("node:internal/streams/readable", "f")).toBe("node:internal");
    expect(bucketOf("", "(garbage collector)")).toBe("GC");
    expect(bucketOf("", "(idle)")).toBe("idle");
    expect(bucketOf("", "writev")).toBe("native / builtins");
  });

  it("sums each sample's delta into its node's bucket and function", () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
    const result = summarize({
      nodes: [
        { id: 1, callFrame: frame("(root)", "") },
        { id: 2, callFrame: frame("push", "file:///w/packages/core/dist/index.js") },
        { id: 3, callFrame: frame("(garbage collector)", "") },
      ],
      samples: [2, 2, 3, 2],
      timeDeltas: [100, 50, 30, 20],
    });
    expect(result.totalUs).toBe(200);
    expect(result.buckets).toEqual([
      ["@smtp/core", 170],
      ["GC", 30],
    ]);
    expect(result.functions[0]).toEqual(["push index.js:10", 170]);
  });
});
