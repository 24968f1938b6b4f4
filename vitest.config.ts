import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Two cores here; property tests are CPU-bound, so more workers only add contention.
    maxWorkers: 2,
    // Builds dist/ once when stale: the CLI tests run the built command.
    globalSetup: ["test/support/buildOnce.ts"],
    testTimeout: 60_000,
  },
});
