import { describe, expect, it } from "vitest";
import { scrubSecrets } from "../src/scrub-secrets.js";

describe("scrubSecrets", () => {
  it("removes configured keys, key-shaped strings and credential values, keeping the rest readable", () => {
    const key = "my-own-key-0123456789";
    const text = `Incorrect API key provided: sk-proj-AbC123xyz_987. upstream saw Authorization=Bearer ${key}; api_key: "abcdef123"; token in URL ${key}; host llm-7.internal:8443`;
    const scrubbed = scrubSecrets(text, [key]);
    expect(scrubbed).not.toContain(key);
    expect(scrubbed).not.toContain("AbC123xyz");
    expect(scrubbed).not.toContain("abcdef123");
    expect(scrubbed).toContain("Incorrect API key provided: sk-[redacted]");
    expect(scrubbed).toContain("llm-7.internal:8443");
  });

  it("scrubs a JSON log line, where quotes are escaped", () => {
    const line = JSON.stringify({ msg: "failed", err: { message: 'headers {"authorization":"Basic dXNlcjpwYXNz"}' } });
    expect(scrubSecrets(line)).not.toContain("dXNlcjpwYXNz");
  });
});
