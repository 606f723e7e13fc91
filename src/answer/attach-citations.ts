import type { Passage } from "../retrieve/hybrid-retriever.js";
import type { TextSpan } from "../text/split-sentences.js";
import { contentTerms } from "../text/tokenize.js";
import type { Citation } from "./types.js";

// "[2]", "[1, 3]", "[1][2]": the markers a draft uses to cite passages by their 1-based number.
const markerGroup = /\s*\[(\d+(?:\s*,\s*\d+)*)\]/g;

/**
 * The quote the drafter already chose for its i-th marker (the extractive answerer knows its
 * sentence). It is used only when it lies inside the passage that marker names.
 */
export interface PreferredQuote {
  passage: number;
  span: TextSpan;
}

/**
 * Turns a draft whose `[n]` markers name passages into the final answer and its citations.
 * Markers naming a passage that was not retrieved are removed. Every kept marker gets a verbatim
 * quote: the sentence of the cited passage that best supports the answer sentence carrying the
 * marker (most of its content words), unless the drafter named the sentence itself. Citations are
 * numbered in order of first appearance; the same quote cited twice keeps one number.
 */
export function attachCitations(
  draft: string,
  passages: Passage[],
  preferred: PreferredQuote[] = [],
): { answer: string; citations: Citation[] } {
  const citations: Citation[] = [];
  const numberOf = new Map<string, number>();
  const pieces = splitAnswerSentences(draft);
  let markerIndex = 0;
  const answer = pieces
    .map((piece) => {
      const claim = piece.replace(markerGroup, "");
      return piece.replace(markerGroup, (_, list: string) => {
        const kept: number[] = [];
        for (const value of list.split(",")) {
          const passageNumber = Number(value.trim());
          const choice = preferred[markerIndex++];
          const passage = passages[passageNumber - 1];
          if (!passage) continue;
          const span =
            choice && choice.passage === passageNumber && within(choice.span, passage) ? choice.span : bestSupport(claim, passage);
          if (!span) continue;
          const key = `${passage.chunk.id}@${span.start}`;
          let n = numberOf.get(key);
          if (n === undefined) {
            n = citations.length + 1;
            numberOf.set(key, n);
            citations.push({ n, chunkId: passage.chunk.id, section: passage.chunk.section, quote: span.text, start: span.start, end: span.end });
          }
          if (!kept.includes(n)) kept.push(n);
        }
        return kept.map((n) => ` [${n}]`).join("");
      });
    })
    .join(" ")
    .replace(/\s+([.,;:!?])/g, "$1")
    .trim();
  return { answer, citations };
}

function within(span: TextSpan, passage: Passage): boolean {
  const { chunk } = passage;
  return span.start >= chunk.start && span.end <= chunk.end && chunk.text.slice(span.start - chunk.start, span.end - chunk.start) === span.text;
}

/**
 * The passage sentence sharing the largest share of the claim's content words. A claim that
 * shares none (a paraphrase) is backed by the sentence most similar to the question.
 */
function bestSupport(claim: string, passage: Passage): TextSpan | null {
  const claimTerms = new Set(contentTerms(claim));
  let best: TextSpan | null = null;
  let bestScore = 0;
  for (const sentence of passage.chunk.sentences) {
    const terms = new Set(contentTerms(sentence.text));
    let shared = 0;
    for (const term of claimTerms) if (terms.has(term)) shared++;
    // Recall of the claim's words, with a light penalty for long sentences that match by sheer size.
    const score = shared / Math.max(claimTerms.size, 1) - terms.size * 0.001;
    if (shared > 0 && score > bestScore) {
      best = sentence;
      bestScore = score;
    }
  }
  if (best) return best;
  let mostSimilar = 0;
  passage.sentenceSimilarities.forEach((similarity, i) => {
    if (similarity > passage.sentenceSimilarities[mostSimilar]!) mostSimilar = i;
  });
  return passage.chunk.sentences[mostSimilar] ?? null;
}

/** Splits an answer into sentences at end punctuation followed by a space ("28.9" stays whole); markers stay with their sentence. */
function splitAnswerSentences(text: string): string[] {
  return text.split(/(?<=[.!?](?:\s*\[\d+(?:\s*,\s*\d+)*\])*["'”’)]*)\s+(?=\S)/);
}
