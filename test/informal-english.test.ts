import { describe, expect, it } from "vitest";
import { readInformal } from "../src/text/informal-english.js";
import { normalizeTerm } from "../src/text/tokenize.js";

/** A corpus that speaks of Kazakhstan, Germany, the United States and the EU. */
const corpus = new Set(
  ["kazakhstan", "germani", "eu", "trade", "vote", "peopl", "unit"].map((word) => normalizeTerm(word)),
);
const isKnown = (term: string) => corpus.has(term);

describe("reading a question typed the way people type", () => {
  it("writes out chat shorthand", () => {
    expect(readInformal("wen did ppl vote n why", isKnown)).toBe("when did people vote and why");
    expect(readInformal("r u sure abt the trade figure", isKnown)).toBe("are you sure about the trade figure");
  });

  it("reads a two-letter region code as the region when the interviews name it", () => {
    expect(readInformal("how much does the eu trade with kz", isKnown)).toBe(
      "how much does the eu trade with Kazakhstan",
    );
    expect(readInformal("trade between DE and KZ", isKnown)).toBe("trade between Germany and Kazakhstan");
    // France is not spoken of: "fr" stays as typed.
    expect(readInformal("trade with fr", isKnown)).toBe("trade with fr");
  });

  it("leaves words alone: function words that are also region codes, and any word the interviews use", () => {
    expect(readInformal("is it in us or at home", isKnown)).toBe("is it in us or at home");
    expect(readInformal("trade with the US", isKnown)).toBe("trade with the United States");
    // A corpus that says "EU" keeps it, rather than "European Union".
    expect(readInformal("what about the EU", isKnown)).toBe("what about the EU");
    expect(readInformal("What did the ambassador say about Germany's trade?", isKnown)).toBe(
      "What did the ambassador say about Germany's trade?",
    );
  });
});
