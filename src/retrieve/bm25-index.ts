import SearchableMap from "minisearch/SearchableMap";

/*
 * BM25+ over documents with named fields, scored exactly as MiniSearch 7.2 scores an OR query
 * (same formula, same parameters, same fuzzy weights, same sums in the same order, so the same
 * floating-point scores), but without MiniSearch's per-match result objects and full sort: at
 * 96,000 sentences a typical question matches ~9,000 of them, and building and sorting a
 * result object for each took ~13 ms where the rest of a query takes ~1 ms.
 *
 * Postings are typed arrays (doc ids ascending, term frequencies) per field and term; a query
 * accumulates scores in reusable arrays, visiting only the documents its terms occur in, and
 * keeps the best `limit` in a bounded heap. The vocabulary is MiniSearch's radix tree, which
 * gives the Levenshtein lookup for typos.
 */

export interface Bm25Analysis {
  /** Splits a field's text, or a query, into tokens. */
  tokenize(text: string): string[];
  /** The indexed term for a token, or null to drop it (stopwords). Must depend on the token alone. */
  processTerm(token: string): string | null;
}

export interface Bm25SearchOptions<F extends string> {
  /** Multiplies each field's contribution; fields not listed count 1. */
  boost?: Partial<Record<F, number>>;
  /** The largest edit distance at which a vocabulary term still matches the query term. */
  fuzzy?: (term: string) => number;
}

export interface Bm25Hit {
  /** The document's position in the list the index was built from. */
  id: number;
  score: number;
}

// MiniSearch's defaults (BM25+ after Lv & Zhai: d lifts every match above a non-match, so long
// fields are not pushed below documents without the term).
const k = 1.2;
const b = 0.7;
const d = 0.5;
// A typo'd match counts less than an exact one, less still for short terms (MiniSearch's fuzzy weight).
const fuzzyWeight = 0.45;
/** Query terms whose vocabulary matches are kept (`Bm25Index.termMatches`). */
const maxCachedTerms = 20_000;

interface FieldPostings {
  /** Term t's postings are positions start[t] .. start[t + 1] - 1 of docs and freqs. */
  start: Int32Array;
  docs: Int32Array;
  freqs: Int32Array;
  /** Per term: rarer terms weigh more. */
  idf: Float64Array;
  /** Per document: the length part of BM25's denominator, k · (1 − b + b · length / average). */
  norm: Float64Array;
}

export class Bm25Index<F extends string> {
  private readonly fields: readonly F[];
  private readonly analysis: Bm25Analysis;
  private readonly vocabulary = new SearchableMap<number>();
  private readonly postings: FieldPostings[];
  /**
   * Each query term's vocabulary matches (exact, then those one typo away, in the tree's order),
   * by edit distance and term: the tree's typo walk was a tenth of a retrieval, and questions
   * share most of their terms. The vocabulary never changes after the constructor.
   */
  private readonly termMatches = new Map<string, ReadonlyArray<readonly [termId: number, weight: number]>>();

  // Reused by every search; a stamp marks which entries belong to the current pass, so nothing
  // is cleared between searches and a search costs only the documents its terms occur in.
  private readonly total: Float64Array;
  private readonly termScore: Float64Array;
  private readonly matchedTerms: Int32Array;
  private readonly seenInSearch: Int32Array;
  private readonly seenForTerm: Int32Array;
  private readonly seenForDistinctTerm: Int32Array;
  private readonly touched: Int32Array;
  private readonly touchedByTerm: Int32Array;
  private stamp = 0;

  /** `documents[i]` holds document i's text per field. */
  constructor(fields: readonly F[], documents: ReadonlyArray<Readonly<Record<F, string>>>, analysis: Bm25Analysis) {
    this.fields = [...fields];
    this.analysis = analysis;
    const count = documents.length;
    const postingTerms = fields.map((): number[] => []);
    const postingDocs = fields.map((): number[] => []);
    const postingFreqs = fields.map((): number[] => []);
    const lengths = fields.map(() => new Int32Array(count));
    const averageLengths = fields.map(() => 0);
    const freqs = new Map<number, number>();
    // Stemming is most of the build's time and the corpus repeats its tokens, so each distinct
    // token is processed once. (Terms are counted here: the tree's size walks the whole tree.)
    const termIds = new Map<string, number>();
    let termCount = 0;
    for (let doc = 0; doc < count; doc++) {
      const document = documents[doc]!;
      for (let field = 0; field < fields.length; field++) {
        const tokens = analysis.tokenize(document[fields[field]!]);
        // MiniSearch's field length: distinct tokens before processing, stopwords included.
        lengths[field]![doc] = new Set(tokens).size;
        // MiniSearch's running average, kept so lengths normalise to the same floating-point values.
        averageLengths[field] = (averageLengths[field]! * doc + lengths[field]![doc]!) / (doc + 1);
        freqs.clear();
        for (const token of tokens) {
          let termId = termIds.get(token);
          if (termId === undefined) {
            const term = analysis.processTerm(token);
            if (term) {
              termId = this.vocabulary.get(term);
              // Terms enter the tree in the order MiniSearch adds them, so typo lookups list
              // matches (and sum their scores) in the same order.
              if (termId === undefined) this.vocabulary.set(term, (termId = termCount++));
            } else {
              termId = -1;
            }
            termIds.set(token, termId);
          }
          if (termId >= 0) freqs.set(termId, (freqs.get(termId) ?? 0) + 1);
        }
        for (const [termId, freq] of freqs) {
          postingTerms[field]!.push(termId);
          postingDocs[field]!.push(doc);
          postingFreqs[field]!.push(freq);
        }
      }
    }
    this.postings = fields.map((_, field) =>
      groupByTerm(
        termCount,
        count,
        postingTerms[field]!,
        postingDocs[field]!,
        postingFreqs[field]!,
        lengths[field]!,
        averageLengths[field]!,
      ),
    );
    this.total = new Float64Array(count);
    this.termScore = new Float64Array(count);
    this.matchedTerms = new Int32Array(count);
    this.seenInSearch = new Int32Array(count);
    this.seenForTerm = new Int32Array(count);
    this.seenForDistinctTerm = new Int32Array(count);
    this.touched = new Int32Array(count);
    this.touchedByTerm = new Int32Array(count);
  }

  /**
   * The best `limit` documents for any of the query's terms, best first, equal scores by lower
   * id. A document's score is the sum over query terms (a repeated term counts again) of its
   * boosted BM25+ scores in each field, times the number of distinct query terms it matches.
   */
  search(query: string, limit: number, options: Bm25SearchOptions<F> = {}): Bm25Hit[] {
    const terms = this.analysis
      .tokenize(query)
      .map((token) => this.analysis.processTerm(token))
      .filter((term): term is string => !!term);
    if (terms.length === 0 || limit < 1) return [];
    const boosts = this.fields.map((field) => options.boost?.[field] ?? 1);
    // Leaves room for this search's stamps (one per term occurrence and distinct term, plus one).
    if (this.stamp > 0x3fffffff - 2 * terms.length) this.resetStamps();
    const searchStamp = ++this.stamp;
    const distinctStamps = new Map<string, number>();
    let touchedCount = 0;
    for (const term of terms) {
      let distinctStamp = distinctStamps.get(term);
      if (distinctStamp === undefined) distinctStamps.set(term, (distinctStamp = ++this.stamp));
      // One term's scores are summed on their own, then added to the total, as MiniSearch does.
      const listed = this.scoreTerm(term, boosts, options.fuzzy, ++this.stamp);
      for (let i = 0; i < listed; i++) {
        const doc = this.touchedByTerm[i]!;
        if (this.seenInSearch[doc] !== searchStamp) {
          this.seenInSearch[doc] = searchStamp;
          this.total[doc] = this.termScore[doc]!;
          this.matchedTerms[doc] = 0;
          this.touched[touchedCount++] = doc;
        } else {
          this.total[doc] = this.total[doc]! + this.termScore[doc]!;
        }
        if (this.seenForDistinctTerm[doc] !== distinctStamp) {
          this.seenForDistinctTerm[doc] = distinctStamp;
          this.matchedTerms[doc] = this.matchedTerms[doc]! + 1;
        }
      }
    }
    return this.best(touchedCount, Math.min(Math.floor(limit), touchedCount));
  }

  /** Scores one query term into termScore; returns how many documents it listed in touchedByTerm. */
  private scoreTerm(
    term: string,
    boosts: number[],
    fuzzy: ((term: string) => number) | undefined,
    termStamp: number,
  ): number {
    const matches = this.matchesOf(term, fuzzy?.(term) ?? 0);
    const { termScore, seenForTerm, touchedByTerm } = this;
    let count = 0;
    for (const [termId, termWeight] of matches) {
      for (let field = 0; field < this.postings.length; field++) {
        const { start, docs, freqs, idf, norm } = this.postings[field]!;
        const weight = termWeight * boosts[field]!;
        const termIdf = idf[termId]!;
        const end = start[termId + 1]!;
        for (let p = start[termId]!; p < end; p++) {
          const doc = docs[p]!;
          const freq = freqs[p]!;
          const score = weight * (termIdf * (d + (freq * (k + 1)) / (freq + norm[doc]!)));
          if (seenForTerm[doc] !== termStamp) {
            seenForTerm[doc] = termStamp;
            termScore[doc] = score;
            touchedByTerm[count++] = doc;
          } else {
            termScore[doc] = termScore[doc]! + score;
          }
        }
      }
    }
    return count;
  }

  /** The `limit` best touched documents, best first: a bounded heap whose root is the worst kept. */
  /** The vocabulary terms a query term matches, with their weights (1 exact, less for a typo). */
  private matchesOf(term: string, maxDistance: number): ReadonlyArray<readonly [termId: number, weight: number]> {
    const key = `${maxDistance}:${term}`;
    let matches = this.termMatches.get(key);
    if (matches) return matches;
    const found: Array<[termId: number, weight: number]> = [];
    const exact = this.vocabulary.get(term);
    if (exact !== undefined) found.push([exact, 1]);
    if (maxDistance > 0) {
      for (const [match, [termId, distance]] of this.vocabulary.fuzzyGet(term, maxDistance)) {
        if (distance > 0) found.push([termId, (fuzzyWeight * match.length) / (match.length + distance)]);
      }
    }
    matches = found;
    if (this.termMatches.size >= maxCachedTerms) this.termMatches.clear(); // bounded: a flood of made-up words
    this.termMatches.set(key, matches);
    return matches;
  }

  private best(touchedCount: number, limit: number): Bm25Hit[] {
    const ids = new Int32Array(limit);
    const scores = new Float64Array(limit);
    let size = 0;
    const worse = (i: number, j: number) => scores[i]! < scores[j]! || (scores[i] === scores[j] && ids[i]! > ids[j]!);
    const swap = (i: number, j: number) => {
      const id = ids[i]!;
      ids[i] = ids[j]!;
      ids[j] = id;
      const score = scores[i]!;
      scores[i] = scores[j]!;
      scores[j] = score;
    };
    for (let i = 0; i < touchedCount; i++) {
      const doc = this.touched[i]!;
      const score = this.total[doc]! * this.matchedTerms[doc]!;
      if (size < limit) {
        ids[size] = doc;
        scores[size] = score;
        for (let child = size++; child > 0;) {
          const parent = (child - 1) >> 1;
          if (!worse(child, parent)) break;
          swap(child, parent);
          child = parent;
        }
      } else if (score > scores[0]! || (score === scores[0] && doc < ids[0]!)) {
        ids[0] = doc;
        scores[0] = score;
        for (let parent = 0; ;) {
          let worst = parent;
          const left = 2 * parent + 1;
          if (left < size && worse(left, worst)) worst = left;
          if (left + 1 < size && worse(left + 1, worst)) worst = left + 1;
          if (worst === parent) break;
          swap(parent, worst);
          parent = worst;
        }
      }
    }
    const hits: Bm25Hit[] = [];
    for (let i = 0; i < size; i++) hits.push({ id: ids[i]!, score: scores[i]! });
    return hits.sort((x, y) => y.score - x.score || x.id - y.id);
  }

  private resetStamps(): void {
    this.seenInSearch.fill(0);
    this.seenForTerm.fill(0);
    this.seenForDistinctTerm.fill(0);
    this.stamp = 0;
  }
}

/** Postings grouped by term (a counting sort, so each term's documents stay in ascending order). */
function groupByTerm(
  termCount: number,
  documentCount: number,
  terms: number[],
  docs: number[],
  freqs: number[],
  lengths: Int32Array,
  averageLength: number,
): FieldPostings {
  const start = new Int32Array(termCount + 1);
  for (const term of terms) start[term + 1] = start[term + 1]! + 1;
  for (let term = 0; term < termCount; term++) start[term + 1] = start[term + 1]! + start[term]!;
  const next = start.slice(0, termCount);
  const groupedDocs = new Int32Array(terms.length);
  const groupedFreqs = new Int32Array(terms.length);
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i]!;
    const at = next[term]!;
    next[term] = at + 1;
    groupedDocs[at] = docs[i]!;
    groupedFreqs[at] = freqs[i]!;
  }
  const idf = new Float64Array(termCount);
  for (let term = 0; term < termCount; term++) {
    const matching = start[term + 1]! - start[term]!;
    idf[term] = Math.log(1 + (documentCount - matching + 0.5) / (matching + 0.5));
  }
  const norm = new Float64Array(documentCount);
  for (let doc = 0; doc < documentCount; doc++) norm[doc] = k * (1 - b + (b * lengths[doc]!) / averageLength);
  return { start, docs: groupedDocs, freqs: groupedFreqs, idf, norm };
}
