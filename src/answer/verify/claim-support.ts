import type { Chunk } from "../../ingest/chunk-interview.js";
import type { Passage } from "../../retrieve/types.js";
import type { TermStatistics } from "../../retrieve/term-statistics.js";
import type { TextSpan } from "../../text/split-sentences.js";
import { contentTerms, words } from "../../text/tokenize.js";
import { namedTerms } from "../../text/named-terms.js";
import type { SpeakerNames } from "../speaker-names.js";
import { supportTuning } from "./support-tuning.js";

/** Embeds claims and compares them with the index's stored sentence vectors. */
export interface ClaimEmbeddings {
  embed(text: string): Promise<number[]>;
  /** Cosine similarity of `vector` to each of `chunk.sentences`, in order. */
  similarities(vector: number[], chunk: Chunk): number[];
}

/** What a claim asserts, read once: its content terms, the numbers and the names it states. */
export interface ClaimFeatures {
  text: string;
  terms: string[];
  numbers: string[];
  names: string[];
}

/** Consecutive sentences `from`–`to` (inclusive) of one passage, as one verbatim span. */
export interface QuoteWindow {
  /** 0-based index into the retrieved passages. */
  passage: number;
  from: number;
  to: number;
  span: TextSpan;
}

/** How well quotes back a claim. */
export interface SupportVerdict {
  supported: boolean;
  /** 0–1: `coverageWeight` × lexical coverage + the rest × embedding similarity (1 for a verbatim claim). */
  support: number;
  /** Numbers the quotes do not hold and names their passages never mention. */
  missing: string[];
}

const markers = /\s*\[\d+(?:\s*,\s*\d+)*\]/g;

const numberWords = new Map(
  "zero one two three four five six seven eight nine ten eleven twelve"
    .split(" ")
    .map((word, value) => [word, String(value)] as const),
);
for (const [word, value] of [
  ["twenty", 20],
  ["thirty", 30],
  ["forty", 40],
  ["fifty", 50],
  ["sixty", 60],
  ["seventy", 70],
  ["eighty", 80],
  ["ninety", 90],
  ["hundred", 100],
] as const) {
  numberWords.set(word, String(value));
}

// Shares are quantities too: "half are chosen from party lists" states a number the quote must hold.
for (const [word, value] of [
  ["half", "1/2"],
  ["halves", "1/2"],
  ["third", "1/3"],
  ["thirds", "1/3"],
  ["quarter", "1/4"],
  ["quarters", "1/4"],
] as const) {
  numberWords.set(word, value);
}

/** "1,000" → "1000", "70%" → "70", "thirty" → "30", "half" → "1/2": a number as both a claim and a quote may write it. */
function numbersOf(text: string): string[] {
  const found: string[] = [];
  for (const token of words(text)) {
    if (/^\p{N}/u.test(token))
      found.push(token.replace(/%$/, "").replace(/^(\d{1,3})(?:,(\d{3}))+$/, (match) => match.replace(/,/g, "")));
    else if (numberWords.has(token)) found.push(numberWords.get(token)!);
  }
  return found;
}

// Words about the interview itself ("the interviewer's questions"), stemmed: no quote needs to hold them.
const aboutTheInterview = new Set(["interview", "interviewe", "question"]);

// A list item's number or bullet is the answer's, not the quote's.
const listItem = /^\s*(?:\(\d+\)|\d+[.)]|[-*•])\s+/;

export function claimFeatures(claim: string): ClaimFeatures {
  const text = claim.replace(markers, "").trim().replace(listItem, "");
  return {
    text,
    terms: [...new Set(contentTerms(text))].filter((term) => !aboutTheInterview.has(term)),
    // "one" is a pronoun as often as a number ("one of the key partners"): not something a quote must hold.
    numbers: [...new Set(numbersOf(text))].filter((number) => number !== "1" || /\b1\b/.test(text)),
    names: namedTerms(text),
  };
}

/**
 * Decides whether quotes back a claim: every number the claim states is in a quote, every name
 * it uses is in the cited passage or is one the whole interview is about, and the support score
 * (idf-weighted share of the claim's content terms the quotes hold, blended with the embedding
 * similarity of the claim to its closest quoted sentence) reaches the calibrated threshold.
 */
export class ClaimSupport {
  private readonly passageTermCache = new WeakMap<Chunk, ReadonlySet<string>>();

  constructor(
    private readonly terms: TermStatistics,
    private readonly embeddings: ClaimEmbeddings | null,
    /** Who speaks in each file: their names and roles are in every passage of it ("The Ambassador says …"). */
    private readonly speakers: SpeakerNames = new Map(),
  ) {}

  /** Embeds a claim once, for every passage it is compared with; null without embeddings. */
  async embed(features: ClaimFeatures): Promise<number[] | null> {
    return this.embeddings ? this.embeddings.embed(features.text) : null;
  }

  similarities(vector: number[] | null, passage: Passage): number[] {
    return vector && this.embeddings
      ? this.embeddings.similarities(vector, passage.chunk)
      : passage.chunk.sentences.map(() => 0);
  }

  /** Whether the claim is a quote's own words: then it needs no embedding to be judged. */
  verbatim(features: ClaimFeatures, span: TextSpan): boolean {
    const claim = comparable(features.text);
    return claim.length >= 12 && comparable(span.text).includes(claim);
  }

  /**
   * The window of at most `maxQuoteSentences` consecutive sentences of the passage that best backs
   * the claim: the best single sentence, widened only where that brings in a number or name the
   * claim states, or much more of its content.
   */
  bestWindow(
    features: ClaimFeatures,
    passages: Passage[],
    index: number,
    similarities: number[],
  ): { window: QuoteWindow; score: number } | null {
    const { chunk } = passages[index]!;
    const sentences = chunk.sentences;
    let best: { window: QuoteWindow; score: number } | null = null;
    for (let from = 0; from < sentences.length; from++) {
      for (let to = from; to < Math.min(sentences.length, from + supportTuning.maxQuoteSentences); to++) {
        const span = windowSpan(chunk, from, to);
        const similarity = Math.max(...similarities.slice(from, to + 1));
        const score =
          supportTuning.requiredWeight * this.requiredHeld(features, span.text) +
          this.coverage(features, span.text) +
          supportTuning.similarityWeightInChoice * similarity -
          supportTuning.widenPenalty * (to - from);
        if (!best || score > best.score) best = { window: { passage: index, from, to, span }, score };
      }
    }
    return best;
  }

  /** Judges the claim against quotes from the passages, `similarities` per passage as `similarities()` gives them. */
  verdict(
    features: ClaimFeatures,
    windows: QuoteWindow[],
    passages: Passage[],
    similarities: Map<number, number[]>,
  ): SupportVerdict {
    if (windows.length === 0) return { supported: false, support: 0, missing: [] };
    const quoted = windows.map((window) => window.span.text).join(" ");
    const heldNumbers = new Set(numbersOf(quoted));
    const mentioned = new Set(
      windows.flatMap((window) => {
        const { chunk } = passages[window.passage]!;
        return [...this.passageTerms(chunk), ...(this.speakers.get(chunk.source) ?? [])];
      }),
    );
    const missing = [
      ...features.numbers.filter((number) => !heldNumbers.has(number)),
      ...features.names.filter((name) => !this.nameKnown(name, mentioned)),
    ];
    if (windows.some((window) => this.verbatim(features, window.span)))
      return { supported: missing.length === 0, support: 1, missing };
    const similarity = Math.max(
      0,
      ...windows.map((window) =>
        Math.max(...(similarities.get(window.passage) ?? []).slice(window.from, window.to + 1)),
      ),
    );
    const coverage = this.coverage(features, quoted);
    // Without embeddings (a lexical-only check) coverage is the whole score.
    const support = this.embeddings
      ? supportTuning.coverageWeight * coverage + (1 - supportTuning.coverageWeight) * similarity
      : coverage;
    return { supported: missing.length === 0 && support >= supportTuning.threshold, support: round(support), missing };
  }

  /** Idf-weighted share of the claim's content terms the text holds (a term also matches a longer or shorter form of itself). */
  private coverage(features: ClaimFeatures, text: string): number {
    if (features.terms.length === 0) return 1;
    const present = this.terms.termsOf(text);
    let held = 0;
    let total = 0;
    for (const term of features.terms) {
      const weight = this.terms.idf(term);
      total += weight;
      if (holds(present, term)) held += weight;
    }
    return total === 0 ? 1 : held / total;
  }

  private requiredHeld(features: ClaimFeatures, text: string): number {
    const required = features.numbers.length + features.names.length;
    if (required === 0) return 0;
    const numbers = new Set(numbersOf(text));
    const present = this.terms.termsOf(text);
    const held =
      features.numbers.filter((number) => numbers.has(number)).length +
      features.names.filter((name) => holds(present, name)).length;
    return held / required;
  }

  private passageTerms(chunk: Chunk): ReadonlySet<string> {
    let terms = this.passageTermCache.get(chunk);
    if (!terms) {
      terms = new Set(contentTerms(`${chunk.section} ${chunk.text}`));
      this.passageTermCache.set(chunk, terms);
    }
    return terms;
  }

  /** A name the cited passage mentions, or one so common in the interview (its country, the EU) that no passage needs to repeat it. */
  private nameKnown(name: string, mentioned: ReadonlySet<string>): boolean {
    return this.terms
      .variants(name)
      .some((variant) => holds(mentioned, variant) || this.terms.idf(variant) <= supportTuning.commonNameIdf);
  }
}

function holds(present: ReadonlySet<string>, term: string): boolean {
  if (present.has(term)) return true;
  if (term.length < 4) return false;
  // "kazakh" / "kazakhstan", "europ" / "european": a word and its longer form.
  for (const other of present) if (other.length >= 4 && (other.startsWith(term) || term.startsWith(other))) return true;
  return false;
}

function comparable(text: string): string {
  return text
    .toLowerCase()
    .replace(/[“”"‘’']/g, "")
    .replace(/[.!?,;:]+$/, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Sentences `from`–`to` of the chunk as one verbatim span of the source. */
export function windowSpan(chunk: Chunk, from: number, to: number): TextSpan {
  const first = chunk.sentences[from]!;
  const last = chunk.sentences[to]!;
  if (from === to) return first;
  return {
    text: chunk.text.slice(first.start - chunk.start, last.end - chunk.start),
    start: first.start,
    end: last.end,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
