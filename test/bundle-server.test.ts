import { isAscii } from "node:buffer";
import { describe, expect, it } from "vitest";
import { asciiOnly } from "../src/cli/bundle-server.js";

// The server bundle is written in ASCII, so the production start reads it as Latin-1 into a
// one-byte string (scripts/code-cache.cjs) instead of decoding UTF-8.
const run = (code: string) => new Function(code)() as Record<string, unknown>;

describe("writing the server bundle in ASCII", () => {
  const code = `// a comment with a dash — and a curly ’ quote
    const quotes = /["'“”‘’]/g;
    const apostrophe = /’/u;
    const astral = /^😀$/u;
    const plainAstral = /^😀$/;
    const text = "“Aşk” — ${"`"}naïve${"`"} 😀";
    return {
      stripped: "“Don’t”".replace(quotes, ""),
      apostrophe: apostrophe.test("it’s"),
      astral: astral.test("😀"),
      plainAstral: plainAstral.test("😀"),
      text,
    };`;

  it("escapes every character outside ASCII, and the code does exactly what it did", () => {
    const ascii = asciiOnly(code);
    expect(isAscii(Buffer.from(ascii))).toBe(true);
    expect(run(ascii)).toEqual(run(code));
    expect(run(code)).toEqual({
      stripped: "Dont",
      apostrophe: true,
      astral: true,
      plainAstral: true,
      text: "“Aşk” — `naïve` 😀",
    });
  });

  it("leaves a bundle alone where an escape would change the meaning: after a backslash", () => {
    const identityEscape = 'return /\\’/.test("’");';
    expect(run(identityEscape)).toBe(true);
    expect(asciiOnly(identityEscape)).toBe(identityEscape);
  });
});
