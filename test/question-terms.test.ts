import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { chunkInterviews } from "../src/ingest/chunk-interview.js";
import { loadCorpus } from "../src/ingest/load-corpus.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import { questionTerms, withoutDegreeWord } from "../src/retrieve/score-evidence.js";
import { TermStatistics } from "../src/retrieve/term-statistics.js";
import { contentTermRuns, contentTerms } from "../src/text/tokenize.js";
import { projectRoot } from "./support/corpus.js";

let terms: TermStatistics;

beforeAll(async () => {
  const sources = await loadCorpus(path.join(projectRoot, "data"));
  terms = new TermStatistics(chunkInterviews(sources.map(parseInterview)));
});

const termsOf = (question: string) => [...questionTerms({ question, searchText: question }, terms).keys()];

describe("question terms", () => {
  it("splits content terms into runs of adjacent words, breaking at stopwords and punctuation", () => {
    const question = "Who picks the judges of the Constitutional Court, and how many does each side get?";
    const runs = contentTermRuns(question);
    expect(runs.map((run) => run.map(({ term }) => term))).toEqual([
      ["pick"],
      ["judg"],
      ["constitut", "court"],
      ["side", "get"],
    ]);
    expect(runs.flat().map(({ term }) => term)).toEqual(contentTerms(question));
    expect(runs[2]!.every(({ capitalized }) => capitalized)).toBe(true);
    expect(contentTermRuns("lower-house members")[0]!.map(({ term }) => term)).toEqual(["lower", "hous", "member"]);
  });

  it("contracts adjacent words whose initials spell an acronym of the interview", () => {
    expect(termsOf("How much foreign direct investment came from the EU?")).toContain("fdi");
  });

  it("spells a two-letter acronym only from capitalised words, as names are written", () => {
    expect(termsOf("What did the Central Asian leaders say about Afghanistan?")).toContain("ca");
    // "CA" is the interview's Central Asia, not constitutional amendments.
    expect(termsOf("What percentage of voters approved the constitutional amendments?")).toEqual(
      expect.arrayContaining(["constitut", "amend"]),
    );
  });

  it("does not spell an acronym from words apart in the question", () => {
    // The interviewer's tag is "CS"; "Court, and ... each side" must not become it.
    const found = termsOf("Who picks the judges of the Constitutional Court, and how many does each side get?");
    expect(found).not.toContain("cs");
    expect(found).toEqual(expect.arrayContaining(["court", "side"]));
  });

  it("takes only the names of a follow-up's earlier reply: who 'he' is, not the reply's other words", () => {
    const resolved = {
      question: "What does he think about the pace of the reforms?",
      searchText: "Who was interviewed? What does he think about the pace of the reforms?",
      context: "Who was interviewed?",
      reply: "It was Margulan Baimukhan, who leads the country's mission to the European Union.",
    };
    const weighted = questionTerms(resolved, terms);
    expect(weighted.has("baimukhan")).toBe(true);
    expect(weighted.has("mission")).toBe(false);
    expect(weighted.has("lead")).toBe(false);
  });
});

describe("the word after 'how'", () => {
  it("says what kind of answer is asked for, so it is not a word the answer must hold", () => {
    expect(withoutDegreeWord("How big is the adaptation fund?")).toBe("How is the adaptation fund?");
    expect(withoutDegreeWord("how long does a visa take?")).toBe("how does a visa take?");
    expect(withoutDegreeWord("And how far did the yield drop?")).toBe("And how did the yield drop?");
  });

  it("stays when it is a function word or a name", () => {
    expect(withoutDegreeWord("How did the talks end?")).toBe("How did the talks end?");
    expect(withoutDegreeWord("How many ewes were sold?")).toBe("How many ewes were sold?");
    expect(withoutDegreeWord("How Kazakhstan votes matters")).toBe("How Kazakhstan votes matters");
  });
});
