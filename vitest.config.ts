import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The local sentence encoder takes a few seconds to embed the corpus on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // vitest runs one file at a time on 2 cores (cores - 1), but the slow files mostly wait on
    // processes they start (servers, the CLI, Chromium): 3 at once took vitest from 388 to 323 s here.
    maxWorkers: 3,
    // One index of data/, built before any file runs and copied by scratchProject().
    globalSetup: ["test/support/shared-index.ts"],
  },
});
