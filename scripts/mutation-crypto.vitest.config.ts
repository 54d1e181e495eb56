import { defineConfig, mergeConfig } from "vitest/config";
import base from "../vitest.config.ts";

// For the mutation run over core's hashes only: instrumented, PBKDF2's 80,000-round
// vectors take minutes where they take a second uninstrumented.
export default mergeConfig(base, defineConfig({ test: { testTimeout: 600_000 } }));
