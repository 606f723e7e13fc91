import type { ChatResponse } from "../contract/index.js";
import type { CountTokens } from "../text/count-tokens.js";
import { splitSentences } from "../text/split-sentences.js";

// Citation markers that follow a sentence's full stop ("… deputies. [1][2]") belong to that sentence.
const trailingMarkers = /^(?:[ \t]*\[\d+(?:\s*,\s*\d+)*\])+/;

/**
 * Where `text` may be cut so that only whole sentences remain, markers included: the end of each
 * sentence that another one follows (or the end of the text when `final`). Ascending.
 */
export function sentenceBoundaries(text: string, final: boolean): number[] {
  const sentences = splitSentences(text, 0, text.length);
  const boundaries: number[] = [];
  sentences.forEach((sentence, i) => {
    const last = i === sentences.length - 1;
    if (last && !final) return;
    const markers = trailingMarkers.exec(text.slice(sentence.end));
    boundaries.push(sentence.end + (markers?.[0].length ?? 0));
  });
  return boundaries;
}

/**
 * The longest prefix of `text` of at most `maxTokens` tokens that ends a sentence (its markers
 * included); 0 when not even the first sentence fits. Not part of that sentence: a claim cut short
 * reads as a different claim, and its markers, at its end, would go with the rest ("… 21.4% higher
 * compared to 2020", uncited). Nor all of it: the cap is the client's limit, as OpenAI's is.
 * Returns the cut's offset, `text.length` when it all fits.
 */
export function capLength(text: string, maxTokens: number, count: CountTokens): number {
  if (count(text) <= maxTokens) return text.length;
  const fits = (end: number) => count(text.slice(0, end)) <= maxTokens;
  return sentenceBoundaries(text, true).filter(fits).at(-1) ?? 0;
}

/**
 * A reply cut to its first `length` characters: the claims that end within it, the citations its
 * markers still point to, and `grounded` decided again over what is left.
 */
export function cutResponse<T extends Pick<ChatResponse, "answer" | "claims" | "citations" | "grounded">>(
  response: T,
  length: number,
): T {
  if (length >= response.answer.length) return response;
  const answer = response.answer.slice(0, length).trimEnd();
  const claims = response.claims.filter((claim) => claim.end <= answer.length);
  const cited = new Set(
    [...answer.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)].flatMap((match) => match[1]!.split(/\s*,\s*/).map(Number)),
  );
  const citations = response.citations.filter((citation) => cited.has(citation.n));
  return {
    ...response,
    answer,
    claims,
    citations,
    grounded: claims.length > 0 && claims.every((claim) => claim.supported),
  };
}
