import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

// `npm run test:browser`: only the tests that drive Chromium, and they must run: where `npm test`
// skips them without a browser, this fails first (test/support/require-chromium.ts).
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/widget-browser.test.ts"],
    globalSetup: ["test/support/require-chromium.ts", "test/support/shared-index.ts"],
  },
});
