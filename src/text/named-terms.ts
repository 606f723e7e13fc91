import { isStopword, normalizeTerm } from "./tokenize.js";

/**
 * The terms of the names in a question: capitalised words other than the first of a sentence
 * ("Who is the president of Russia?" → ["russia"]). A question written in Title Case names
 * nothing this way, so it yields none. A passage that never mentions a name the question asks
 * about cannot answer it.
 */
export function namedTerms(question: string): string[] {
  const words = [...question.matchAll(/\p{L}[\p{L}'’]*/gu)];
  const capitalised = words.filter((word, index) => {
    if (!/^\p{Lu}/u.test(word[0])) return false;
    if (index === 0) return false;
    const before = question.slice(0, word.index).trimEnd();
    return !/[.!?:;"“(]$/.test(before);
  });
  if (words.length >= 4 && capitalised.length / (words.length - 1) > 0.6) return [];
  return [
    ...new Set(
      capitalised
        .map((word) => word[0].toLowerCase().replace(/['’]s$/, ""))
        .filter((word) => word !== "i" && !isStopword(word))
        .map(normalizeTerm),
    ),
  ];
}
