import type { ChatResponse, Citation, Context } from "../answer/types.js";
import { splitSentences } from "../text/split-sentences.js";
import { contentTerms } from "../text/tokenize.js";

/**
 * Share of an answer sentence's distinct content words (stopwords dropped, stemmed: `contentTerms`)
 * that its cited quotes must contain for the sentence to count as supported. 0.5 is the token-overlap
 * stand-in for ALCE's NLI judge: an extractive sentence scores 1.0, a faithful paraphrase usually
 * keeps its names and numbers, and a sentence citing an unrelated quote shares next to nothing.
 */
export const supportThreshold = 0.5;

/** True when `text` contains any one of the evidence strings (verbatim, case-sensitive). */
export function holdsEvidence(text: string, evidence: readonly string[]): boolean {
  return evidence.some((item) => text.includes(item));
}

/** 1-based rank of the first context holding the evidence, or null when none does. */
export function evidenceRank(contexts: readonly Pick<Context, "text">[], evidence: readonly string[]): number | null {
  const index = contexts.findIndex((context) => holdsEvidence(context.text, evidence));
  return index === -1 ? null : index + 1;
}

/** Maps a citation's `source` (a file name within data/) to that file's text; undefined when unknown. */
export type SourceLookup = (source: string) => string | undefined;

/** A passage's name across the corpus: chunk ids repeat from file to file. */
export const passageKey = (passage: Pick<Citation, "source" | "chunkId">) => `${passage.source}:${passage.chunkId}`;

/**
 * A citation is valid when its quote is exactly `source.slice(start, end)` of the chunk's own source
 * file (read locally, not taken from the server) and the chunk it cites is among the returned contexts.
 */
export function isValidCitation(citation: Citation, contextIds: ReadonlySet<string>, sourceOf: SourceLookup): boolean {
  const source = sourceOf(citation.source);
  return (
    contextIds.has(passageKey(citation)) &&
    source !== undefined &&
    source.slice(citation.start, citation.end) === citation.quote
  );
}

/** The response's citations that pass `isValidCitation`. */
export function validCitations(
  response: Pick<ChatResponse, "citations" | "contexts">,
  sourceOf: SourceLookup,
): Citation[] {
  const contextIds = new Set(response.contexts.map(passageKey));
  return response.citations.filter((citation) => isValidCitation(citation, contextIds, sourceOf));
}

/** The fact groups the answer misses: a group is stated when the answer contains one of its alternatives (case-insensitive). */
export function missingFacts(answer: string, facts: readonly (readonly string[])[]): string[][] {
  const text = answer.toLowerCase();
  return facts.filter((group) => !group.some((fact) => text.includes(fact.toLowerCase()))).map((group) => [...group]);
}

/** One answer sentence, the `[n]` markers it carries, and whether its cited quotes support it. */
export interface SentenceSupport {
  text: string;
  markers: number[];
  supported: boolean;
}

const markerGroup = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
const leadingMarkers = /^(?:\s*\[\d+(?:\s*,\s*\d+)*\])+/;
// What follows a false stop ("…?” [2]; (2) …") or is no sentence at all (a lone ".").
const continues = /^(?:[;,:.)\]–—-]|[^\p{L}\p{N}]*$)/u;

/**
 * Splits an answer into sentences (abbreviation- and decimal-aware, `splitSentences`). Markers written
 * after a sentence's full stop ("… 98. [1] Next") stay with the sentence they follow; a quotation
 * stays whole inside the sentence quoting it (`(1) “Why? How?” [2]` is one sentence); and text
 * that goes on after a stop with punctuation ("…?” [2]; (2) …"), or holds no word, is not a sentence.
 */
export function answerSentences(answer: string): string[] {
  const sentences: string[] = [];
  let open = false;
  for (const { text } of splitSentences(answer, 0, answer.length)) {
    const last = sentences.length - 1;
    const markers = last >= 0 && !open ? (text.match(leadingMarkers)?.[0] ?? "") : "";
    const rest = text.slice(markers.length).trim();
    if (last >= 0 && (open || continues.test(rest))) {
      sentences[last] += ` ${text}`;
    } else {
      if (markers) sentences[last] += markers;
      if (rest) sentences.push(rest);
    }
    open = insideQuotation(sentences.at(-1) ?? "");
  }
  return sentences;
}

function insideQuotation(text: string): boolean {
  const count = (pattern: RegExp) => text.match(pattern)?.length ?? 0;
  return count(/“/g) > count(/”/g) || count(/"/g) % 2 === 1;
}

/**
 * Sentence-level citation support in the manner of ALCE's citation recall, judged by token overlap:
 * a sentence is supported when it carries at least one `[n]` marker naming one of `citations` and at
 * least `threshold` of its distinct content words appear in the quotes it cites. A sentence with no
 * content word at all ("Yes [1].") needs only the marker. Pass only the citations to trust (valid ones).
 */
export function sentenceSupport(
  answer: string,
  citations: readonly Citation[],
  threshold = supportThreshold,
): SentenceSupport[] {
  return answerSentences(answer).map((sentence) => {
    const markers = [...sentence.matchAll(markerGroup)].flatMap((match) =>
      match[1]!.split(",").map((n) => Number(n.trim())),
    );
    const cited = citations.filter((citation) => markers.includes(citation.n));
    const terms = new Set(contentTerms(sentence.replace(markerGroup, " ")));
    const quoted = new Set(cited.flatMap((citation) => contentTerms(citation.quote)));
    let shared = 0;
    for (const term of terms) if (quoted.has(term)) shared++;
    const supported = cited.length > 0 && (terms.size === 0 || shared / terms.size >= threshold);
    return { text: sentence, markers, supported };
  });
}

/**
 * The nearest-rank percentile (`p` in 0–100) of `values`: the smallest value with at least p % of
 * the values at or below it. Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
