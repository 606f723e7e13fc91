import type { Passage } from "../retrieve/hybrid-retriever.js";
import type { TextSpan } from "../text/split-sentences.js";
import { contentTerms } from "../text/tokenize.js";
import type { Citation } from "./types.js";

// "[2]", "[1, 3]", "[1][2]": the markers a draft uses to cite passages by their 1-based number.
const markerGroup = /\s*\[(\d+(?:\s*,\s*\d+)*)\]/g;
// The end of a sentence: closing punctuation, any quotes and markers after it, then whitespace.
const sentenceEnd = /[.!?]["'”’)]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*["'”’)]*\s+(?=\S)/;

/**
 * The quote the drafter already chose for its i-th marker (the extractive answerer knows its
 * sentence). It is used only when it lies inside the passage that marker names.
 */
export interface PreferredQuote {
  passage: number;
  span: TextSpan;
}

/**
 * Turns a draft whose `[n]` markers name passages into the final answer and its citations, as the
 * draft streams in. Markers naming a passage that was not retrieved are removed. Every kept marker
 * gets a verbatim quote: the sentence of the cited passage that best supports the answer sentence
 * carrying the marker (most of its content words), unless the drafter named the sentence itself.
 * Citations are numbered in order of first appearance; the same quote cited twice keeps one number.
 *
 * Text is passed through as soon as it is safe: only from a sentence's first `[` to its end is
 * held back, since markers cannot be rewritten before the sentence they support is complete.
 */
export class CitationStream {
  readonly citations: Citation[] = [];
  private readonly numberOf = new Map<string, number>();
  private markerIndex = 0;
  /** The current, unfinished sentence. */
  private sentence = "";
  /** How much of `sentence` has been passed on unchanged. */
  private emitted = 0;

  constructor(
    private readonly passages: Passage[],
    private readonly preferred: PreferredQuote[] = [],
  ) {}

  /** Feeds more draft text; returns the answer text that can be shown now. */
  push(text: string): string {
    this.sentence += text;
    let output = "";
    for (let match = sentenceEnd.exec(this.sentence); match; match = sentenceEnd.exec(this.sentence)) {
      const end = match.index + match[0].length;
      output += this.finish(this.sentence.slice(0, end));
      this.sentence = this.sentence.slice(end);
      this.emitted = 0;
    }
    const hold = this.sentence.indexOf("[");
    const safe = (hold === -1 ? this.sentence : this.sentence.slice(0, hold)).replace(/\s+$/, "");
    if (safe.length > this.emitted) {
      output += safe.slice(this.emitted);
      this.emitted = safe.length;
    }
    return output;
  }

  /** Ends the draft; returns the rest of the answer text. */
  end(): string {
    const output = this.finish(this.sentence);
    this.sentence = "";
    this.emitted = 0;
    return output;
  }

  private finish(sentence: string): string {
    const claim = sentence.replace(markerGroup, "");
    const rewritten = sentence.replace(markerGroup, (_, list: string) =>
      this.cite(list, claim)
        .map((n) => ` [${n}]`)
        .join(""),
    );
    return rewritten.slice(this.emitted);
  }

  private cite(list: string, claim: string): number[] {
    const kept: number[] = [];
    for (const value of list.split(",")) {
      const passageNumber = Number(value.trim());
      const choice = this.preferred[this.markerIndex++];
      const passage = this.passages[passageNumber - 1];
      if (!passage) continue;
      const span = choice && choice.passage === passageNumber && within(choice.span, passage) ? choice.span : bestSupport(claim, passage);
      if (!span) continue;
      const key = `${passage.chunk.id}@${span.start}`;
      let n = this.numberOf.get(key);
      if (n === undefined) {
        n = this.citations.length + 1;
        this.numberOf.set(key, n);
        this.citations.push({ n, chunkId: passage.chunk.id, section: passage.chunk.section, quote: span.text, start: span.start, end: span.end });
      }
      if (!kept.includes(n)) kept.push(n);
    }
    return kept;
  }
}

/** The whole-draft form of `CitationStream`. */
export function attachCitations(draft: string, passages: Passage[], preferred: PreferredQuote[] = []): { answer: string; citations: Citation[] } {
  const stream = new CitationStream(passages, preferred);
  const answer = (stream.push(draft) + stream.end()).trim();
  return { answer, citations: stream.citations };
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
