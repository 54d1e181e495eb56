import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import base from "../vitest.config.ts";

// The vitest config of a mutation run (scripts/mutation.mjs): the repository's, with only
// the part's test files, which the script passes in MUTATION_TEST_FILES. Not Stryker's
// `testFiles` option: with it, StrykerJS 9.6.1 activates module-level ("static") mutants
// after their module has loaded, and reports them as survivors (stryker-js#6144).
// MUTATION_TEST_TIMEOUT gives slow parts room (instrumented, the hashes run far slower).
const files: string[] = JSON.parse(process.env.MUTATION_TEST_FILES ?? "null");
if (!Array.isArray(files) || files.length === 0) {
  throw new Error("MUTATION_TEST_FILES must list the test files (run scripts/mutation.mjs)");
}
const timeout = Number(process.env.MUTATION_TEST_TIMEOUT ?? base.test?.testTimeout);

export default defineConfig({
  ...base,
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: { ...base.test, include: files, testTimeout: timeout },
});
