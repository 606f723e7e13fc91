import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { overviewParts } from "../src/answer/answer-about-interview.js";
import { LlmAnswerer } from "../src/answer/llm/llm-answerer.js";
import { loadPrompts } from "../src/answer/llm/load-prompts.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex, type OpenedIndex } from "../src/search-index/open-index.js";
import { projectRoot, readInterview, scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { FakeOpenAiServer } from "./support/fake-openai-server.js";
import { OpenAiChatModel } from "../src/answer/model/openai-chat-model.js";

// "Summarize the interview" in LLM mode: the model gets the interview's parts (overview.md), not
// retrieved passages, and its citations are checked against those parts like any other answer's.
let upstream: FakeOpenAiServer;
let opened: OpenedIndex;
let source: string;
let extractive: ExtractiveAnswerer;
let llm: LlmAnswerer;

beforeAll(async () => {
  upstream = await new FakeOpenAiServer().start();
  source = await readInterview();
  const embedder = new FakeEmbedder();
  opened = await openIndex({ ...(await scratchProject()), embedder });
  const retriever = new HybridRetriever(opened.index, embedder);
  extractive = new ExtractiveAnswerer({ retriever, interviews: opened.interviews, chunks: opened.index.chunks });
  llm = new LlmAnswerer({
    model: new OpenAiChatModel(
      new OpenAI({ apiKey: "test-key", baseURL: upstream.baseURL, timeout: 5_000, maxRetries: 0 }),
      "fake-model",
    ),
    prompts: await loadPrompts(path.join(projectRoot, "prompts")),
    retriever,
    fallback: extractive,
  });
});
afterAll(() => upstream.stop());
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.faults.length = 0;
  // A model that does as overview.md asks: one sentence a passage, each the passage's own first sentence, cited.
  upstream.chat = {
    reply: (messages) => {
      const prompt = messages.find((message) => message.role === "user")!.content;
      const passages = [...prompt.matchAll(/^\[(\d+)\] \(answering: .*\)\n"""\n([\s\S]*?)\n"""/gm)];
      return passages
        .map(([, n, text]) => {
          // The first of the interviewee's sentences: not a heading, not the interviewer's tagged question.
          const sentence = text!.split(/(?<=[.!?])\s+|\n+/).find((candidate) => /^[A-Z][^:]{40,}\.$/.test(candidate))!;
          return `${sentence.replace(/\.$/, "")} [${n}].`;
        })
        .join(" ");
    },
  };
});

const chatRequests = () => upstream.requests.filter((request) => request.path === "/v1/chat/completions");

describe("an overview in LLM mode", () => {
  it("sends the overview prompt the interviewee, the interviewer and one passage per interviewer question", async () => {
    await llm.answer({ message: "Summarize the interview" });
    expect(chatRequests()).toHaveLength(1);
    const { messages } = chatRequests()[0]!.body as { messages: Array<{ role: string; content: string }> };
    expect(messages[0]!.content).toMatch(/overview of an interview/);
    const prompt = messages[1]!.content;
    expect(prompt).toContain("Who was interviewed: Ambassador Margulan Baimukhan");
    expect(prompt).toMatch(/Who asked the questions: "CS"/);
    const sections = [...prompt.matchAll(/^\[\d+\] \(answering: (.*)\)$/gm)]
      .map((match) => match[1]!)
      .filter((section) => section !== "Introduction");
    expect(new Set(sections).size).toBeGreaterThanOrEqual(3);
    expect(sections).toHaveLength(opened.interviews[0]!.questions.length);
    expect(prompt).toContain("<question>\nSummarize the interview\n</question>");
  });

  it("cites the parts it was given: at least three interviewer questions' sections, each quote verbatim", async () => {
    const body = await llm.answer({ message: "give me an overview" });
    expect(body).toMatchObject({ mode: "llm", grounded: true });
    expect(body.claims.every((claim) => claim.supported)).toBe(true);
    const parts = overviewParts(opened.interviews, opened.index.chunks)!;
    const given = new Set(parts.passages.map((passage) => passage.chunk.id));
    for (const citation of body.citations) {
      expect(given.has(citation.chunkId)).toBe(true);
      expect(source.slice(citation.start, citation.end)).toBe(citation.quote);
    }
    const sections = new Set(
      body.citations.map((citation) => citation.section).filter((section) => section !== "Introduction"),
    );
    expect(sections.size).toBeGreaterThanOrEqual(3);
    expect(body.contexts.map((context) => context.chunkId)).toEqual(parts.passages.map((passage) => passage.chunk.id));
  });

  it("covers the first three interviews when data/ holds many, each section's sentence from its own file", () => {
    const [interview] = opened.interviews;
    const copies = Array.from({ length: 10 }, (_, i) => ({
      ...interview!,
      source: { ...interview!.source, id: `copy-${i}`, name: `copy-${i}.txt` },
    }));
    const chunks = copies.flatMap((copy) => opened.index.chunks.map((chunk) => ({ ...chunk, docId: copy.source.id })));
    const parts = overviewParts(copies, chunks)!;
    expect([...new Set(parts.passages.map((passage) => passage.chunk.docId))]).toEqual(["copy-0", "copy-1", "copy-2"]);
    expect(parts.sections).toBe(3 * overviewParts(opened.interviews, opened.index.chunks)!.sections);
  });

  it("falls back to the extractive overview, marked degraded, when the model fails", async () => {
    upstream.faults.push("500");
    const body = await llm.answer({ message: "summarize the interview" });
    expect(body).toMatchObject({ degraded: true, mode: "extractive", grounded: true });
    expect(new Set(body.citations.map((citation) => citation.section)).size).toBeGreaterThanOrEqual(3);
  });

  it("still answers other questions from retrieved passages with the answer prompt", async () => {
    upstream.chat = { reply: "Export cargoes go to Liepaja, Riga and Ventspils [1]." };
    await llm.answer({ message: "Which Latvian ports receive Kazakh export cargo?" });
    const { messages } = chatRequests()[0]!.body as { messages: Array<{ role: string; content: string }> };
    expect(messages[0]!.content).not.toMatch(/overview of an interview/);
  });
});
