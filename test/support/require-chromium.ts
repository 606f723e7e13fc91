import { chromiumPath, hasChromium } from "./widget-harness.js";

/** vitest globalSetup of `npm run test:browser`: no browser is a failure here, not a skip. */
export default function requireChromium(): void {
  if (!hasChromium) {
    throw new Error(
      `npm run test:browser needs Chromium, and there is none at ${chromiumPath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
    );
  }
}
