import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The local sentence encoder takes a few seconds to embed the corpus on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
