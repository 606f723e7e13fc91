import { beforeAll, describe, expect, it } from "vitest";
import { answers, chooseSentences, evidenceCut, sameWord } from "../src/answer/extractive/choose-sentences.js";
import { composeAnswer, composeClosest, withMarker } from "../src/answer/extractive/compose.js";
import { filterSentences } from "../src/answer/extractive/filter-sentences.js";
import { analyseQuestion, definedSubject } from "../src/answer/extractive/question-analysis.js";
import { evidenceScore, scoreForAnswer, sentenceText } from "../src/answer/extractive/score-sentences.js";
import { extractiveTuning } from "../src/answer/extractive-tuning.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { scoreSentences } from "../src/retrieve/score-evidence.js";
import type { Retrieval, ScoredSentence } from "../src/retrieve/types.js";
import { openIndex, type OpenedIndex } from "../src/search-index/open-index.js";
import { scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";

// The extractive answerer's stages one by one, on the real interview with a fake encoder: what
// each stage decides is lexical or structural, or is given the scores it decides on.
let opened: OpenedIndex;
let retriever: HybridRetriever;
let acronyms: string[];

beforeAll(async () => {
  const embedder = new FakeEmbedder();
  opened = await openIndex({ ...(await scratchProject()), embedder });
  retriever = new HybridRetriever(opened.index, embedder);
  acronyms = [...new Set(opened.index.chunks.flatMap((chunk) => chunk.text.match(/\b[A-Z]{2,6}\b/g) ?? []))].map(
    (acronym) => acronym.toLowerCase(),
  );
});

const analyse = (retrieval: Retrieval) => analyseQuestion(retrieval.question, retriever.terms, acronyms);
const sentence = (similarity: number, coverage: number, at: Partial<ScoredSentence> = {}): ScoredSentence => ({
  passage: 0,
  sentence: 0,
  similarity,
  coverage,
  score: 0.3 * coverage + 0.7 * similarity,
  ...at,
});

describe("analysing the question once", () => {
  it("reads its answer type, names, the acronyms a short one begins, and a definition's subject", async () => {
    const analysis = analyse(
      await retriever.retrieve("Which UN bodies were mentioned in connection with Afghanistan?"),
    );
    expect(analysis.names).toEqual(["un", "afghanistan"]);
    expect(analysis.acronyms.get("un")).toEqual(expect.arrayContaining(["unodc", "unama"]));
    expect(analysis.acronyms.has("afghanistan")).toBe(false);
    expect(definedSubject("What is the Middle Corridor?")).toBe("middle corridor");
    expect(analyse(await retriever.retrieve("In what month did the president visit Brussels?")).type).toBe("month");
  });

  it("weighs a follow-up's context into its terms, not into its own", async () => {
    const retrieval = await retriever.retrieve("What about imports?", {
      history: [{ role: "user", content: "How much did trade with the EU grow in 2021?" }],
    });
    const analysis = analyse(retrieval);
    expect([...analysis.ownTerms.keys()]).toEqual(["import"]);
    expect(analysis.terms.has("trade")).toBe(true);
    expect(analysis.terms.get("trade")).toBeCloseTo(retriever.terms.idf("trade") * 0.5);
  });
});

describe("scoring the sentences once", () => {
  it("carries the retriever's sentence scores with the passages they belong to, as scoring them anew gives", async () => {
    const retrieval = await retriever.retrieve("Which Latvian ports receive Kazakh export cargo?");
    expect(retrieval.evidence!.passages).toBe(retrieval.passages);
    const again = scoreSentences(retrieval.passages, analyse(retrieval).terms, retriever.terms);
    expect(retrieval.evidence!.sentences).toEqual(again);
  });

  it("ranks best first and gives a definition's opening sentence a bonus", async () => {
    const retrieval = await retriever.retrieve("What is the Middle Corridor?");
    const analysis = analyse(retrieval);
    const plain = scoreSentences(retrieval.passages, analysis.terms, retriever.terms);
    const ranked = scoreForAnswer(retrieval.passages, analysis, retriever.terms, retrieval.evidence!.sentences);
    expect(ranked.map((scored) => scored.score)).toEqual(
      [...ranked.map((scored) => scored.score)].sort((a, b) => b - a),
    );
    const defining = ranked.find((scored) => /^The Middle Corridor/.test(sentenceText(retrieval.passages, scored)))!;
    const before = plain.find(
      (scored) => scored.passage === defining.passage && scored.sentence === defining.sentence,
    )!;
    expect(defining.score).toBeCloseTo(before.score + extractiveTuning.definitionBonus);
  });
});

describe("filtering the sentences that can answer", () => {
  it("keeps none when the question names what the interview never does", async () => {
    const retrieval = await retriever.retrieve("Who won the 2018 FIFA World Cup?");
    const analysis = analyse(retrieval);
    expect(
      filterSentences(
        scoreForAnswer(retrieval.passages, analysis, retriever.terms),
        retrieval.passages,
        analysis,
        retriever.terms,
      ),
    ).toEqual([]);
  });

  it("keeps only sentences of passages that mention the names, and that hold the kind of answer asked for", async () => {
    const retrieval = await retriever.retrieve("In which month did Tokayev visit Brussels?");
    const analysis = analyse(retrieval);
    const kept = filterSentences(
      scoreForAnswer(retrieval.passages, analysis, retriever.terms),
      retrieval.passages,
      analysis,
      retriever.terms,
    );
    expect(kept.length).toBeGreaterThan(0);
    for (const scored of kept) {
      expect(sentenceText(retrieval.passages, scored)).toMatch(
        /January|February|March|April|May|June|July|August|September|October|November|December/,
      );
      expect(retrieval.passages[scored.passage]!.chunk.text).toMatch(/Brussels/);
    }
  });
});

describe("choosing and composing", () => {
  it("answers at the cut of the answer type: general, lower for a specific kind, higher for a figure", async () => {
    const analysis = analyse(await retriever.retrieve("What is the Middle Corridor?"));
    const at = (evidence: number) => sentence(evidence, 0);
    expect(answers(at(extractiveTuning.answerCut), analysis)).toBe(true);
    expect(answers(at(extractiveTuning.answerCut - 0.01), analysis)).toBe(false);
    expect(answers(undefined, analysis)).toBe(false);
    expect(evidenceCut("month")).toBe(extractiveTuning.specificCut);
    expect(evidenceCut("quantity")).toBe(extractiveTuning.lureCut);
    expect(evidenceScore(sentence(0.5, 0.4))).toBeCloseTo(0.5 + extractiveTuning.coverageWeight * 0.4);
  });

  it("quotes the best sentence and the one after it, in reading order, each with its passage's marker", async () => {
    const retrieval = await retriever.retrieve("What is the Middle Corridor?");
    const analysis = analyse(retrieval);
    const best = sentence(0.9, 0.5, { passage: 0, sentence: 0 });
    const chosen = chooseSentences(best, [best], retrieval.passages, analysis);
    expect(chosen.map((scored) => [scored.passage, scored.sentence])).toEqual(
      retrieval.passages[0]!.chunk.sentences.length > 1
        ? [
            [0, 0],
            [0, 1],
          ]
        : [[0, 0]],
    );
    const { draft, preferred } = composeAnswer(chosen, retrieval.passages);
    expect(draft[0]).toContain(" [1]");
    expect(preferred[0]!.span).toBe(retrieval.passages[0]!.chunk.sentences[0]);
    expect(composeClosest(best, retrieval.passages).draft[0]).toBe("The interview doesn't say exactly.");
  });

  it("places a marker before the closing punctuation and quotes, and compares words as written", () => {
    expect(withMarker("It is “the Middle Corridor.”", 2)).toBe("It is “the Middle Corridor [2].”");
    expect(withMarker("No stop", 1)).toBe("No stop [1]");
    expect(sameWord("reform", "reformed")).toBe(true);
    expect(sameWord("import", "importance")).toBe(false);
  });
});
