import { describe, expect, it } from "vitest";
import {
  normalizeMarkers,
  noteTurnsToClaim,
  quotedPhrases,
  refusesInOtherWords,
} from "../src/answer/verify/model-markup.js";

describe("what models write", () => {
  it("reads footnote-style markers as [n], only for passages the model was given", () => {
    expect(normalizeMarkers("Deputies fall to 98^1. Ports^2 and roads [^3].", 3)).toBe(
      "Deputies fall to 98[1]. Ports[2] and roads [3].",
    );
    expect(normalizeMarkers("The hub opens soon (2). Trade grew【1】.", 2)).toBe(
      "The hub opens soon [2]. Trade grew[1].",
    );
    // A list item's number opens its line, and a passage the model was not given is no marker.
    expect(normalizeMarkers("Changes:\n(1) fewer deputies\n(2) a court", 4)).toBe(
      "Changes:\n(1) fewer deputies\n(2) a court",
    );
    expect(normalizeMarkers("It rose (7).", 4)).toBe("It rose (7).");
  });

  it("finds words put in quotation marks as someone's own, not a term in quotes", () => {
    expect(quotedPhrases("He called it “a new dimension for the country” [1].")).toEqual([
      "a new dimension for the country",
    ]);
    expect(quotedPhrases('A genre called "popera" [2].')).toEqual([]);
  });

  it("tells a note that goes on to state something from one that only says what is missing", () => {
    expect(noteTurnsToClaim("The interview does not say what the turnout was, but it was around 68 percent.")).toBe(
      true,
    );
    expect(noteTurnsToClaim("The interview does not say when the hub opens.")).toBe(false);
  });

  it.each([
    "Sorry, there is no information about that in the passages.",
    "I couldn't find anything on this in the interview.",
    "The provided excerpts don't cover the voter turnout.",
  ])("takes %j for a refusal", (sentence) => expect(refusesInOtherWords(sentence)).toBe(true));

  it.each(["The Senate will no longer make laws.", "There is no information office in Astana, he says."])(
    "takes %j for no refusal",
    (sentence) => expect(refusesInOtherWords(sentence)).toBe(false),
  );
});
