import { beforeAll, describe, expect, it } from "vitest";
import { TurnByMeaning } from "../src/answer/route/turn-by-meaning.js";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { chunkInterviews } from "../src/ingest/chunk-interview.js";
import { loadCorpus } from "../src/ingest/load-corpus.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import { TermStatistics } from "../src/retrieve/term-statistics.js";
import { projectRoot } from "./support/corpus.js";

// Phrasings no pattern lists, recognised by their nearest labelled examples in the local encoder's space.
let meaning: TurnByMeaning;
beforeAll(async () => {
  const chunks = chunkInterviews((await loadCorpus(`${projectRoot}/data`)).map(parseInterview));
  meaning = new TurnByMeaning(new LocalEmbeddings(), new TermStatistics(chunks));
}, 60_000);

describe("the kind of turn, by meaning", () => {
  it.each([
    ["appreciate it!", "thanks"],
    ["cheers mate", "thanks"],
    ["is anyone there?", "greeting"],
    ["sum it up in three bullet points", "overview"],
    ["what's this interview about in a nutshell", "overview"],
  ])("%j is %s", async (message, kind) => {
    expect(await meaning.classify(message)).toBe(kind);
  });

  it.each(["How many deputies will the Mazhilis have?", "who won the grammy", "and the senate?", "what changes"])(
    "%j stays a question",
    async (message) => {
      expect(await meaning.classify(message)).toBeNull();
    },
  );
});
