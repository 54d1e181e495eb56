import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the "source"
// export condition, so tests never need a build.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "tests/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
      "tools/*/src/**/*.test.ts",
      "bench/**/*.test.ts",
      "interop/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/dist/**", "**/deno/**", "**/bun/**"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts"],
      exclude: ["**/*.test.ts", "**/*.d.ts"],
      reporter: ["text-summary", "text", "json-summary"],
      // The engine is the heart of the toolkit: CI fails when its line coverage drops below 95 %.
      thresholds: { "packages/core/src/**": { lines: 95 } },
    },
  },
});
