import { describe, expect, it } from "vitest";
import { namedTerms } from "../src/text/named-terms.js";

describe("namedTerms", () => {
  it("takes the capitalised words after a sentence's first word, stemmed", () => {
    expect(namedTerms("Who is the president of Russia?")).toEqual(["russia"]);
    expect(namedTerms("Which Singapore-based firm is a partner in the Aktau hub?")).toEqual(["singapor", "aktau"]);
    expect(namedTerms("What was the EU-Kazakhstan trade turnover?")).toEqual(["eu", "kazakhstan"]);
  });

  it("ignores the first word of each sentence, 'I', and possessive endings", () => {
    expect(namedTerms("Tell me. What did I miss about Dimash's concerts?")).toEqual(["dimash"]);
  });

  it("finds no names in a question written in Title Case", () => {
    expect(namedTerms("What Is The Middle Corridor And Why Does It Matter?")).toEqual([]);
  });
});
