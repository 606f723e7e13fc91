import { beforeAll, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { foreignLanguage } from "../src/answer/route/language.js";
import { classifySmallTalk } from "../src/answer/route/small-talk.js";
import { abstention } from "../src/answer/types.js";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { scratchProject } from "./support/corpus.js";

describe("classifySmallTalk", () => {
  it.each([
    ["hi", "greeting"],
    ["Hello there!", "greeting"],
    ["good evening, how r u?", "greeting"],
    ["thanks!", "thanks"],
    ["thank you, that was helpful", "thanks"],
    ["bye", "goodbye"],
    ["cheers, that's all for now. goodbye", "goodbye"],
    ["what can you do?", "capabilities"],
    ["What can I ask you?", "capabilities"],
    ["help", "capabilities"],
    ["ok cool", "acknowledgement"],
  ])("reads %j as %s", (message, kind) => {
    expect(classifySmallTalk(message)).toBe(kind);
  });

  // A phrasing or more from each of small-talk.ts's word lists.
  const phrasings: Record<string, string[]> = {
    greeting: [
      "hiya",
      "howdy",
      "yo",
      "hola",
      "Good afternoon",
      "hey assistant",
      "hello again, how are you doing today?",
      "how's it going",
      "whats up",
      "sup",
    ],
    thanks: [
      "great, thanks a lot",
      "thank you very much",
      "thx",
      "ty",
      "much appreciated",
      "cheers, this is really useful",
      "wonderful, thank you so much",
      "nothing else, thank you",
    ],
    goodbye: [
      "ok bye bye",
      "goodbye",
      "good bye",
      "see ya later",
      "farewell",
      "have a nice evening",
      "good night",
      "thanks, later",
      "no more questions. bye",
    ],
    capabilities: [
      "help me",
      "menu",
      "what should I know?",
      "what could you help me with?",
      "who are you?",
      "what is this bot?",
      "how does this work?",
      "how do I use this?",
      "are you a robot?",
      "what kind of questions can I ask you?",
    ],
    acknowledgement: [
      "k",
      "got it",
      "I see",
      "all right",
      "makes sense",
      "understood",
      "nope",
      "sure thanks",
      "fine, got it",
      "that's all for now",
    ],
  };
  it.each(Object.entries(phrasings).flatMap(([kind, messages]) => messages.map((message) => [message, kind])))(
    "reads %j as %s",
    (message, kind) => expect(classifySmallTalk(message)).toBe(kind),
  );

  it.each([
    "Hi, how many deputies will the Mazhilis have?",
    "What is the Middle Corridor?",
    "ok. what is the middle corridor?",
    "thanks, and what about imports?",
    "Who are the Senate's members?",
  ])("leaves a message that also asks something, %j, to be answered as a question", (message) =>
    expect(classifySmallTalk(message)).toBeNull(),
  );
});

describe("foreignLanguage", () => {
  const vocabulary = new Set(["middle", "corridor", "trade", "reforms", "pace", "investment", "total"]);
  const known = (word: string) => vocabulary.has(word);
  it.each([
    ["Сколько депутатов будет в Мажилисе?", true],
    ["Wer ist Dimash Qudaibergen?", true],
    ["¿Cuántos diputados tendrá el Mazhilis?", true],
    ["Who is Imanbek?", false],
    ["Middle Corridor cost", false],
    ["Tokayev reforms pace", false],
    ["eu investment total?", false],
  ])("tells whether %j is not English: %s", async (message, foreign) => {
    expect((await foreignLanguage(message, known)) !== null).toBe(foreign);
  });
});

describe("conversation with the offline answerer", () => {
  let answerer: ExtractiveAnswerer;
  beforeAll(async () => {
    const embedder = new LocalEmbeddings();
    const opened = await openIndex({ ...(await scratchProject()), embedder });
    answerer = new ExtractiveAnswerer({
      retriever: new HybridRetriever(opened.index, embedder),
      interviews: opened.interviews,
      chunks: opened.index.chunks,
    });
  });

  it.each(["hi", "thanks!", "what can you do?", "bye"])(
    "answers %j as small talk naming the interview, never with the refusal, with 2–5 suggestions",
    async (message) => {
      const response = await answerer.answer({ message });
      expect(response).toMatchObject({ kind: "smalltalk", grounded: false, citations: [], claims: [] });
      expect(response.answer).not.toContain(abstention);
      expect(response.answer).toContain("Baimukhan");
      expect(response.suggestions.length).toBeGreaterThanOrEqual(2);
      expect(response.suggestions.length).toBeLessThanOrEqual(5);
    },
  );

  it("suggests only questions that, asked as they stand, get a grounded answer", async () => {
    const pool = new Set<string>();
    for (const message of [
      "hi",
      "What is the capital of France?",
      "How many deputies will the Mazhilis have?",
      "Сколько депутатов?",
    ]) {
      for (const suggestion of (await answerer.answer({ message })).suggestions) pool.add(suggestion);
    }
    expect(pool.size).toBeGreaterThanOrEqual(3);
    for (const suggestion of pool)
      expect(await answerer.answer({ message: suggestion }), suggestion).toMatchObject({
        kind: "answer",
        grounded: true,
      });
  });

  it.each(["Summarize the interview", "what are the main topics?", "tl;dr", "Give me an overview"])(
    "answers %j with an overview citing at least three sections",
    async (message) => {
      const response = await answerer.answer({ message });
      expect(response).toMatchObject({ kind: "answer", grounded: true });
      expect(response.answer).toContain("Baimukhan");
      expect(
        new Set(response.citations.map((citation) => citation.chunkId.replace(/-\d+$/, ""))).size,
      ).toBeGreaterThanOrEqual(3);
    },
  );

  it("names the people in it from the interview's structure", async () => {
    expect((await answerer.answer({ message: "What is the ambassador's name?" })).answer).toContain(
      "Margulan Baimukhan",
    );
    const interviewer = await answerer.answer({ message: "Who is the interviewer?" });
    expect(interviewer).toMatchObject({ kind: "answer", grounded: true });
    expect(interviewer.answer).toContain("“CS”");
    expect((await answerer.answer({ message: "Which publication?" })).answer).toMatch(/does not name the publication/);
  });

  it("answers a question in another language in English, saying it reads English, with suggestions", async () => {
    const response = await answerer.answer({ message: "Сколько депутатов будет в Мажилисе?" });
    expect(response).toMatchObject({ kind: "no_answer", grounded: false, citations: [] });
    expect(response.answer).toMatch(/only read questions in English/);
    expect(response.suggestions.length).toBeGreaterThanOrEqual(2);
  });

  it("shows the closest passage when it does not answer but a passage comes close, still no answer", async () => {
    const response = await answerer.answer({ message: "When will the next Mazhilis elections take place?" });
    expect(response).toMatchObject({ kind: "no_answer", grounded: false });
    expect(response.answer).toMatch(/^The interview doesn't say exactly\. The closest it comes:\n/);
    expect(response.citations).toHaveLength(1);
    expect(response.claims.every((claim) => claim.supported)).toBe(true);
    expect(response.suggestions.length).toBeGreaterThanOrEqual(2);
  });

  it("keeps a follow-up's answer on point: no sentence on a neighbouring topic that only the earlier question's words bring in", async () => {
    const history = [
      { role: "user" as const, content: "What was EU-Kazakhstan trade in 2021?" },
      { role: "assistant" as const, content: "Trade turnover in 2021 amounted to 28.9 billion US dollars [1]." },
    ];
    const response = await answerer.answer({ message: "What about imports?", history });
    expect(response.kind).toBe("answer");
    expect(response.answer).toContain("5.65 billion");
    expect(response.answer).not.toMatch(/transport|transit/);
    expect(response.answer.split(/\s+/).length).toBeLessThanOrEqual(80);
  });
});
