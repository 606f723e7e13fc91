import { beforeAll, describe, expect, it } from "vitest";
import { routeTurn, type RouteContext } from "../src/answer/route/route-turn.js";
import { TermStatistics } from "../src/retrieve/term-statistics.js";
import { openIndex } from "../src/search-index/open-index.js";
import { scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";

// The first stage of answering: what kind of turn a message is, before any retrieval.
let context: RouteContext;

beforeAll(async () => {
  const opened = await openIndex({ ...(await scratchProject()), embedder: new FakeEmbedder() });
  context = {
    interviews: opened.interviews,
    chunks: opened.index.chunks,
    terms: new TermStatistics(opened.index.chunks),
    otherLanguages: true,
  };
});

describe("routing a turn", () => {
  it("tells small talk, another language, questions about the interview, overviews and questions apart", async () => {
    expect(await routeTurn("hi there!", context)).toEqual({ kind: "smalltalk", smallTalk: "greeting" });
    expect((await routeTurn("Сколько депутатов будет в Мажилисе?", context)).kind).toBe("other-language");
    expect((await routeTurn("Who was interviewed?", context)).kind).toBe("about-interview");
    const overview = await routeTurn("Summarize the interview", context);
    expect(overview.kind).toBe("overview");
    if (overview.kind === "overview")
      expect(new Set(overview.draft.passages.map((passage) => passage.chunk.section)).size).toBeGreaterThanOrEqual(3);
    expect(await routeTurn("How many deputies will the Mazhilis have?", context)).toEqual({ kind: "question" });
  });

  it("leaves other languages to the LLM when told to, and keeps English keyword queries as questions", async () => {
    expect(await routeTurn("Сколько депутатов будет в Мажилисе?", { ...context, otherLanguages: false })).toEqual({
      kind: "question",
    });
    expect(await routeTurn("Tokayev reforms pace", context)).toEqual({ kind: "question" });
  });
});
