import { LRUCache } from "lru-cache";
import type { Chunk } from "../ingest/chunk-interview.js";
import { contentTerms, type RunTerm } from "../text/tokenize.js";
import { searchText } from "../ingest/chunk-interview.js";

/**
 * Document frequencies of content terms over the chunks, for weighting the words of a question
 * by how much they say: "Kazakhstan" appears everywhere here, "tariff" once.
 */
export class TermStatistics {
  private readonly documentFrequency = new Map<string, number>();
  private readonly chunkCount: number;
  private readonly spellings = new Map<string, string | null>();
  /** Content terms of every sentence and section of the corpus, computed once: scoring reads them per query. */
  private readonly corpusTerms = new Map<string, ReadonlySet<string>>();
  /**
   * Content terms of other texts, mostly quote windows of several sentences: the claim check weighs
   * every window of every cited passage for every claim, and tokenizing them anew was 16 ms of each
   * LLM answer (a third of what the server added to it).
   */
  private readonly otherTerms = new LRUCache<string, ReadonlySet<string>>({ max: 10_000 });
  private readonly variantCache = new Map<string, string[]>();
  /**
   * The vocabulary by first letter and length ("m7" → ["mazhili", …]): a typo keeps both close (see
   * `sameEnds`), so a lookup reads a few dozen terms, not all of them. Scanning them all made each new
   * name in a claim cost the whole vocabulary; on the bench's 1,000-interview corpus that was minutes.
   */
  private readonly byStartAndLength = new Map<string, string[]>();
  private readonly firstUse = new Map<string, number>();
  /** Acronyms the corpus uses ("FDI"), by the stemmed initials of what they stand for. */
  private readonly acronyms = new Map<string, string>();

  constructor(chunks: Chunk[]) {
    this.chunkCount = chunks.length;
    for (const chunk of chunks) {
      for (const acronym of chunk.text.match(/\b[A-Z]{2,6}\b/g) ?? [])
        this.acronyms.set(acronym.toLowerCase(), acronym.toLowerCase());
      for (const term of new Set(contentTerms(searchText(chunk)))) {
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
      }
      for (const text of [chunk.section, ...chunk.sentences.map((sentence) => sentence.text)]) {
        if (!this.corpusTerms.has(text)) this.corpusTerms.set(text, new Set(contentTerms(text)));
      }
    }
    for (const term of this.documentFrequency.keys()) {
      this.firstUse.set(term, this.firstUse.size);
      const key = `${term[0]}${term.length}`;
      const bucket = this.byStartAndLength.get(key);
      if (bucket) bucket.push(term);
      else this.byStartAndLength.set(key, [term]);
    }
  }

  /**
   * Corpus terms starting as `term` does, at most `slack` characters longer or shorter, in the order the
   * corpus first used them (as a scan of the whole vocabulary met them, so ties resolve as before).
   */
  private near(term: string, slack: number): string[] {
    const found: string[] = [];
    for (let length = term.length - slack; length <= term.length + slack; length++)
      found.push(...(this.byStartAndLength.get(`${term[0]}${length}`) ?? []));
    return found.sort((a, b) => this.firstUse.get(a)! - this.firstUse.get(b)!);
  }

  /** BM25's idf; a term the corpus never uses gets the largest weight, since it cannot be covered. */
  idf(term: string): number {
    const df = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.chunkCount - df + 0.5) / (df + 0.5));
  }

  /**
   * The terms of runs of adjacent words (`contentTermRuns`), with a run's words whose initials
   * spell an acronym the corpus uses replaced by that acronym: "foreign direct investment" → "fdi"
   * when the interview writes "FDI". Words apart in the text spell nothing ("Court, and ... each
   * side" is not "CS"), and two words spell a two-letter acronym only when both are capitalised,
   * as names are: "Central Asian" is the interview's "CA", "constitutional amendments" is not.
   */
  contractAcronyms(runs: RunTerm[][]): string[] {
    return runs.flatMap((run) => this.contractRun(run));
  }

  private contractRun(run: RunTerm[]): string[] {
    const result: string[] = [];
    for (let i = 0; i < run.length; i++) {
      let matched = 0;
      for (let length = Math.min(6, run.length - i); length >= 2 && matched === 0; length--) {
        const words = run.slice(i, i + length);
        const initials = words.map(({ term }) => term[0]).join("");
        if (length === 2 && !words.every(({ capitalized }) => capitalized)) continue;
        if (this.acronyms.has(initials) && !words.some(({ term }) => term === initials)) matched = length;
        if (matched) result.push(initials);
      }
      if (matched) i += matched - 1;
      else result.push(run[i]!.term);
    }
    return result;
  }

  /** The set of content terms of a text; precomputed for the corpus's sentences and sections. */
  termsOf(text: string): ReadonlySet<string> {
    const known = this.corpusTerms.get(text) ?? this.otherTerms.get(text);
    if (known) return known;
    const terms = new Set(contentTerms(text));
    this.otherTerms.set(text, terms);
    return terms;
  }

  /** The term and the corpus terms one typo away from it ("mazhili" → ["mazhili", "mazhli"]). */
  variants(term: string): string[] {
    let variants = this.variantCache.get(term);
    if (!variants) {
      variants = [term];
      if (term.length >= 5 && !/^\p{N}/u.test(term)) {
        for (const known of this.near(term, 1)) if (known !== term && nearlySame(term, known)) variants.push(known);
      }
      if (this.variantCache.size > 10_000) this.variantCache.clear();
      this.variantCache.set(term, variants);
    }
    return variants;
  }

  has(term: string): boolean {
    return this.documentFrequency.has(term);
  }

  /**
   * The corpus spelling of a term the corpus does not use but nearly does ("mazhili" for
   * "mazhli"): one edit for terms of 5+ characters, two for 9+. Null when there is none.
   */
  correct(term: string): string | null {
    if (this.has(term)) return term;
    if (this.spellings.has(term)) return this.spellings.get(term)!;
    let best: string | null = null;
    if (term.length >= 5 && !/^\p{N}/u.test(term)) {
      const allowed = term.length >= 9 ? 2 : 1;
      let bestDistance = allowed + 1;
      for (const known of this.near(term, allowed)) {
        if (!sameEnds(known, term)) continue;
        const distance = editDistance(term, known, allowed);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = known;
        }
      }
    }
    if (this.spellings.size > 10_000) this.spellings.clear();
    this.spellings.set(term, best);
    return best;
  }
}

/**
 * Two stemmed terms that differ by one typo inside the word ("mazhili" / "mazhli") or by an
 * ending ("voter" / "vote"); short words and numbers must match exactly.
 */
export function nearlySame(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length < 5 || b.length < 5 || /^\p{N}/u.test(a) || /^\p{N}/u.test(b) || !sameEnds(a, b)) return false;
  return Math.abs(a.length - b.length) <= 1 && editDistance(a, b, 1) <= 1;
}

function sameEnds(a: string, b: string): boolean {
  if (a[0] !== b[0]) return false;
  // An ending added or dropped is the same word inflected ("voter" / "vote"); a changed last
  // letter is usually another word ("currenc" / "current").
  return a.at(-1) === b.at(-1) || a.startsWith(b) || b.startsWith(a);
}

/** Damerau–Levenshtein (optimal string alignment) distance, giving up past `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
  }
  return rows[a.length]![b.length]!;
}
