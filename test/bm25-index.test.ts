import { readFile } from "node:fs/promises";
import path from "node:path";
import MiniSearch from "minisearch";
import { describe, expect, it } from "vitest";
import { chunkCopies, copySources } from "../bench/synthetic-corpus.js";
import { chunkInterviews, type Chunk } from "../src/ingest/chunk-interview.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import { Bm25Index, type Bm25Analysis } from "../src/retrieve/bm25-index.js";
import { LexicalIndex, type LexicalHit } from "../src/retrieve/lexical-index.js";
import { listSentences } from "../src/search-index/search-index.js";
import { isStopword, normalizeTerm, words } from "../src/text/tokenize.js";
import { projectRoot, readInterview, starterQuestionsPath } from "./support/corpus.js";

const analysis: Bm25Analysis = {
  tokenize: words,
  processTerm: (token) => (isStopword(token) ? null : normalizeTerm(token)),
};

function fuzziness(term: string): number {
  return term.length >= 5 && !/^\p{N}/u.test(term) ? 1 : 0;
}

/** The MiniSearch setup LexicalIndex used before it had its own BM25 index: the reference ranking. */
function miniSearchReference(chunks: Chunk[]) {
  const chunkIndex = new MiniSearch({ fields: ["section", "text"], ...analysis });
  chunkIndex.addAll(chunks.map((chunk, id) => ({ id, section: chunk.section, text: chunk.text })));
  const sentenceIndex = new MiniSearch({ fields: ["text"], ...analysis });
  const sentenceTexts = listSentences(chunks).map((ref) => chunks[ref.chunk]!.sentences[ref.sentence]!.text);
  sentenceIndex.addAll(sentenceTexts.map((text, id) => ({ id, text })));
  return {
    chunks: (query: string) =>
      chunkIndex.search(query, { fuzzy: fuzziness, boost: { section: 0.5 }, combineWith: "OR" }),
    sentences: (query: string) => sentenceIndex.search(query, { fuzzy: fuzziness, combineWith: "OR" }),
  };
}

function closeTo(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-9 * Math.abs(expected);
}

/**
 * Same scores rank by rank, and each returned document has that score in the reference: so the
 * ids can differ only where the reference has equal scores (its order among ties is arbitrary).
 */
function expectSameRanking(
  query: string,
  hits: LexicalHit[],
  reference: Array<{ id: number; score: number }>,
  limit: number,
) {
  const context = `query ${JSON.stringify(query)}`;
  expect(hits.length, context).toBe(Math.min(limit, reference.length));
  const referenceScores = new Map(reference.map((hit) => [hit.id, hit.score]));
  expect(new Set(hits.map((hit) => hit.label)).size, context).toBe(hits.length);
  hits.forEach((hit, rank) => {
    const expected = reference[rank]!.score;
    if (!closeTo(hit.score, expected))
      expect.fail(`${context}: rank ${rank} scores ${hit.score}, MiniSearch ${expected}`);
    const own = referenceScores.get(hit.label);
    if (own === undefined || !closeTo(hit.score, own))
      expect.fail(`${context}: ${hit.label} scores ${hit.score}, MiniSearch ${own}`);
    if (rank > 0 && hits[rank - 1]!.score === hit.score)
      expect(hits[rank - 1]!.label, `${context}: ties by lower id`).toBeLessThan(hit.label);
  });
}

async function questions(file: string): Promise<string[]> {
  const lines = (await readFile(file, "utf8")).split("\n").filter((line) => line.trim() !== "");
  return lines.map((line) => (JSON.parse(line) as { question: string }).question);
}

const handWritten = [
  "What is the Mazhlis?", // one typo
  "Mazhlis Mazhilis deputies", // the typo and the word both
  "How many deputies deputies deputies will the Mazhilis have?", // repeated words count again
  "senators Senate senate appointed by the president",
  "Kazakstan Kazakhstan economy economy investment investments",
  "referendum on 5 June 2022",
  "Tokayev Tokaev reforms", // a typo inside a name
  "Caspian pipeline sanctions on Russia",
  "what did he say about it", // only stopwords
  "",
  "zzzzzz qqqqqq", // no vocabulary at all
  "constitutional constitution constitutionally",
];

describe("LexicalIndex", async () => {
  const text = await readInterview();
  const chunks = chunkInterviews([parseInterview({ id: "interview", name: "interview.txt", text, sha256: "x" })]);
  const lexical = new LexicalIndex(chunks, listSentences(chunks));
  const reference = miniSearchReference(chunks);
  const asked = [
    ...(await questions(path.join(projectRoot, "eval/questions.jsonl"))),
    ...(await questions(starterQuestionsPath)),
    ...handWritten,
  ];

  it("ranks chunks like MiniSearch BM25 (fuzzy, section boost 0.5, OR) on the interview", () => {
    for (const query of asked) {
      for (const limit of [1, 5, 50])
        expectSameRanking(query, lexical.searchChunks(query, limit), reference.chunks(query), limit);
    }
  });

  it("ranks sentences like MiniSearch BM25 on the interview", () => {
    for (const query of asked) {
      for (const limit of [1, 10, 100])
        expectSameRanking(query, lexical.searchSentences(query, limit), reference.sentences(query), limit);
    }
  });

  it("ranks like MiniSearch BM25 on copies of the interview, where equal scores and near-miss names abound", async () => {
    const copies = chunkCopies(copySources(text, 6), text).chunks;
    const copiesIndex = new LexicalIndex(copies, listSentences(copies));
    const copiesReference = miniSearchReference(copies);
    for (const query of [...asked.slice(0, 30), ...handWritten, "Kazakhsaab Kazakhsaac Baimukhaaf"]) {
      expectSameRanking(query, copiesIndex.searchChunks(query, 20), copiesReference.chunks(query), 20);
      expectSameRanking(query, copiesIndex.searchSentences(query, 40), copiesReference.sentences(query), 40);
    }
  });

  it("finds nothing for an empty query or one made only of stopwords", () => {
    for (const query of ["", "   ", "what did he say about it", "?!"]) {
      expect(lexical.searchChunks(query, 10)).toEqual([]);
      expect(lexical.searchSentences(query, 10)).toEqual([]);
    }
  });
});

describe("Bm25Index", () => {
  const documents = [
    { section: "Parliament", text: "The Mazhilis is the lower house of parliament." },
    { section: "Economy", text: "Investment grew, and the economy with it." },
    { section: "Elections", text: "Deputies of the Mazhilis are elected." },
    { section: "Mazhilis", text: "Its deputies sit for five years." },
    { section: "Economy", text: "Investment grew, and the economy with it." },
  ];
  const index = new Bm25Index(["section", "text"], documents, analysis);

  it("returns at most `limit` hits, best first, and none for a limit below 1", () => {
    const all = index.search("Mazhilis deputies economy", 10);
    expect(all.map((hit) => hit.id).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(all.map((hit) => hit.score)).toEqual([...all.map((hit) => hit.score)].sort((a, b) => b - a));
    expect(index.search("Mazhilis deputies economy", 2)).toEqual(all.slice(0, 2));
    expect(index.search("Mazhilis deputies economy", 0)).toEqual([]);
  });

  it("ranks a document matching more distinct query words above one matching a single word", () => {
    const hits = index.search("Mazhilis lower", 10);
    expect(hits.map((hit) => hit.id).sort()).toEqual([0, 2, 3]);
    expect(hits[0]!.id).toBe(0);
  });

  it("puts equal scores in document order", () => {
    expect(index.search("investment", 10).map((hit) => hit.id)).toEqual([1, 4]);
    expect(index.search("investment", 1).map((hit) => hit.id)).toEqual([1]);
  });

  it("keeps the same best `limit` as a full ranking cut at `limit`, lower ids first among equal scores", () => {
    // Few words over many short documents: lots of equal scores, some straddling the cut.
    const pool = ["senate", "deputies", "economy", "reform", "budget", "region"];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = () => pool[Math.floor(random() * pool.length)]!;
    const texts = Array.from({ length: 300 }, () => ({
      text: Array.from({ length: 1 + Math.floor(random() * 4) }, pick).join(" "),
    }));
    const small = new Bm25Index(["text"], texts, analysis);
    for (const query of ["senate", "senate deputies", "economy reform budget region", "budget budget senate"]) {
      const full = small.search(query, texts.length);
      full.forEach((hit, rank) => {
        if (rank > 0) expect(full[rank - 1]!.score > hit.score || full[rank - 1]!.id < hit.id).toBe(true);
      });
      for (const limit of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144])
        expect(small.search(query, limit)).toEqual(full.slice(0, limit));
    }
  });

  it("gives the same results after its per-search markers wrap around", () => {
    const queries = ["economy", "Mazhilis deputies economy", "lower lower parliament"];
    const expected = queries.map((query) => index.search(query, 10));
    // On a fresh index, "investment" leaves the first marker values on documents 1 and 4; after
    // the wrap, "economy" is handed the same values for the same documents.
    const fresh = new Bm25Index(["section", "text"], documents, analysis);
    fresh.search("investment", 10);
    (fresh as unknown as { stamp: number }).stamp = 0x3fffffff;
    expect(queries.map((query) => fresh.search(query, 10))).toEqual(expected);
    expect((fresh as unknown as { stamp: number }).stamp).toBeLessThan(100);
  });

  it("matches a word one edit away only when fuzzy search allows it, and scores it below the exact word", () => {
    expect(index.search("Mazhlis", 10)).toEqual([]);
    const fuzzy = index.search("Mazhlis", 10, { fuzzy: () => 1 });
    const exact = index.search("Mazhilis", 10, { fuzzy: () => 1 });
    expect(fuzzy.map((hit) => hit.id)).toEqual(exact.map((hit) => hit.id));
    // A match one edit away from an n-letter vocabulary term weighs 0.45 · n / (n + 1).
    const n = normalizeTerm("mazhilis").length;
    fuzzy.forEach((hit, rank) => expect(hit.score).toBeCloseTo(exact[rank]!.score * ((0.45 * n) / (n + 1)), 12));
  });

  it("weighs a field by its boost", () => {
    // Document 3 has "Mazhilis" in its section, documents 0 and 2 in their text.
    const rankOf3 = (boost: number) =>
      index.search("Mazhilis", 10, { boost: { section: boost } }).findIndex((hit) => hit.id === 3);
    expect(rankOf3(4)).toBe(0);
    expect(rankOf3(0.1)).toBe(2);
    const score = (boost: number) =>
      index.search("Mazhilis", 10, { boost: { section: boost } }).find((hit) => hit.id === 3)!.score;
    expect(score(0.5)).toBeCloseTo(score(1) / 2, 12);
  });

  it("counts a repeated query word again in the score but once in the number of words matched", () => {
    const once = index.search("lower", 10)[0]!.score;
    expect(index.search("lower lower", 10)[0]!.score).toBeCloseTo(2 * once, 12);
    const both = index.search("lower parliament", 10)[0]!;
    const parliament = index.search("parliament", 10).find((hit) => hit.id === 0)!.score;
    expect(both.score).toBeCloseTo(2 * (once + parliament), 12);
  });
});
