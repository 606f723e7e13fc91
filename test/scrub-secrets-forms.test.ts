import { describe, expect, it } from "vitest";
import { scrubSecrets } from "../src/scrub-secrets.js";

describe("scrubSecrets, on configured keys in any form a log line holds them", () => {
  // Issue item T24: a key with characters JSON escapes is written escaped in a JSON log line.
  it("removes a key holding a quote or a backslash from a JSON log line, where it appears escaped", () => {
    for (const key of ['Zq9"Wv3Nx5Ty7', "Zq9\\Wv3Nx5Ty7", 'q"u\\o"te\\key77']) {
      const line = JSON.stringify({ level: 40, msg: "upstream failed", err: { message: `rejected ${key} upstream` } });
      const scrubbed = scrubSecrets(line, [key]);
      expect(scrubbed, key).not.toContain(JSON.stringify(key).slice(1, -1));
      expect(scrubbed, key).not.toContain("Wv3Nx5Ty7");
      expect(scrubbed, key).not.toContain("te\\\\key77");
      // Still a JSON line, with the key's place marked.
      expect(JSON.parse(scrubbed).err.message, key).toBe("rejected [redacted] upstream");
    }
  });

  it("removes such a key as written in plain text too", () => {
    const key = 'Zq9"Wv3\\Nx5Ty7';
    expect(scrubSecrets(`rejected ${key} upstream`, [key])).toBe("rejected [redacted] upstream");
  });

  // Issue item T25: the longest key first, so a key that contains another is removed whole.
  it("removes a key that contains another key whole, leaving no part of the longer one", () => {
    const short = "team-key-0123";
    const long = `${short}-admin-tail-9876`;
    for (const secrets of [
      [short, long],
      [long, short],
    ]) {
      const scrubbed = scrubSecrets(`admin used ${long}; user used ${short}.`, secrets);
      expect(scrubbed).toBe("admin used [redacted]; user used [redacted].");
      expect(scrubbed).not.toContain("admin-tail-9876");
    }
  });
});
