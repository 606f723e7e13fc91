import { isStopword, normalizeTerm } from "./tokenize.js";

/**
 * Chat shorthand of English, as people type questions ("wen did ppl vote", "kz n the eu"): read as
 * the words they stand for. Only the language's common forms, none of any one interview's.
 */
const shorthand: Record<string, string> = {
  ppl: "people",
  n: "and",
  r: "are",
  u: "you",
  ur: "your",
  y: "why",
  wen: "when",
  wat: "what",
  wot: "what",
  whats: "what is",
  abt: "about",
  bc: "because",
  cuz: "because",
  pls: "please",
  plz: "please",
  thx: "thanks",
  tho: "though",
  govt: "government",
  yr: "year",
  yrs: "years",
  b4: "before",
  approx: "approximately",
  "&": "and",
};

const regions = new Intl.DisplayNames(["en"], { type: "region" });

/**
 * The question with chat shorthand and two-letter region codes ("kz", "DE") written out, so it is
 * searched and weighed with the interview's own words. A token is read only when the interviews do
 * not use it as it stands (`isKnown`): a corpus that says "EU" keeps "EU", and a region code is read
 * only when the interviews name that region ("kz" → "Kazakhstan" where Kazakhstan is spoken of),
 * so "in", "it" or "us" stay words.
 */
export function readInformal(text: string, isKnown: (term: string) => boolean): string {
  return text.replace(/(?<![\p{L}\p{N}'’])(?:[\p{L}\p{N}]+|&)(?![\p{L}\p{N}'’])/gu, (token) => {
    const lower = token.toLowerCase();
    if (isKnown(normalizeTerm(lower))) return token;
    const word = shorthand[lower];
    if (word !== undefined) return word;
    // "us" is a pronoun the stopword list lacks; typed as "US" it is the country.
    if (/^\p{L}{2}$/u.test(token) && !isStopword(lower) && token !== "us") {
      const name = regions.of(token.toUpperCase());
      if (
        name &&
        name !== token.toUpperCase() &&
        !/unknown/i.test(name) &&
        isKnown(normalizeTerm(name.split(/\s+/)[0]!.toLowerCase()))
      )
        return name;
    }
    return token;
  });
}
