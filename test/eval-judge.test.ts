import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatResponse } from "../src/answer/types.js";
import { createJudge, JudgeReplyError } from "../src/evaluate/judge.js";
import type { EvalQuestion } from "../src/evaluate/question-set.js";
import { runEval } from "../src/evaluate/run-eval.js";
import type { QuestionScore } from "../src/evaluate/score-response.js";
import { summarize } from "../src/evaluate/summarize.js";
import { FakeOpenAiServer } from "./support/fake-openai-server.js";

let fake: FakeOpenAiServer;
let client: OpenAI;

beforeAll(async () => {
  fake = await new FakeOpenAiServer().start();
  client = new OpenAI({ apiKey: "test", baseURL: fake.baseURL, maxRetries: 0 });
});
afterAll(() => fake.stop());

const verdict = (supported: boolean[], relevance: number) =>
  JSON.stringify({ claims: supported.map((value, i) => ({ claim: `claim ${i}`, supported: value })), relevance });

describe("the LLM judge", () => {
  it("scores faithfulness as the share of supported claims and passes the relevance rating on", async () => {
    fake.chat = { reply: verdict([true, true, false, true], 0.9) };
    const judge = createJudge({ client, model: "judge-model" });
    expect(
      await judge({ question: "How many deputies?", answer: "98 deputies [1].", quotes: ["reduced from 107 to 98"] }),
    ).toEqual({ faithfulness: 0.75, relevance: 0.9 });
    const request = fake.requests.at(-1)!;
    expect(request.body).toMatchObject({ model: "judge-model", temperature: 0 });
    const messages = request.body.messages as Array<{ role: string; content: string }>;
    expect(messages.map((message) => message.role)).toEqual(["system", "user"]);
    expect(messages[1]!.content).toBe(
      "QUESTION:\nHow many deputies?\n\nANSWER:\n98 deputies [1].\n\nQUOTES:\n[1] reduced from 107 to 98",
    );
  });

  it("reads a verdict wrapped in a code fence, and has no faithfulness for an answer without claims", async () => {
    fake.chat = { reply: `Here you go:\n\`\`\`json\n${verdict([], 0.2)}\n\`\`\`` };
    expect(await createJudge({ client, model: "m" })({ question: "Q?", answer: "Hm.", quotes: [] })).toEqual({
      faithfulness: null,
      relevance: 0.2,
    });
  });

  it("throws JudgeReplyError for a reply that is not the verdict asked for", async () => {
    const judge = createJudge({ client, model: "m" });
    fake.chat = { reply: "I think it is fine." };
    await expect(judge({ question: "Q?", answer: "A.", quotes: [] })).rejects.toThrow(JudgeReplyError);
    fake.chat = { reply: JSON.stringify({ claims: [], relevance: 7 }) };
    await expect(judge({ question: "Q?", answer: "A.", quotes: [] })).rejects.toThrow(/lacks relevance/);
  });
});

describe("judging during a run", () => {
  const source = "The Mazhilis will shrink from 107 to 98 deputies.";
  const answered: ChatResponse = {
    kind: "answer",
    claims: [],
    suggestions: [],
    answer: "The Mazhilis will shrink from 107 to 98 deputies [1].",
    citations: [
      { n: 1, source: "interview.txt", chunkId: "q1", section: "S", quote: source, start: 0, end: source.length },
    ],
    contexts: [
      { source: "interview.txt", chunkId: "q1", section: "S", text: source, score: 1, start: 0, end: source.length },
    ],
    grounded: true,
    mode: "extractive",
  };
  const abstained: ChatResponse = {
    kind: "no_answer",
    claims: [],
    suggestions: [],
    answer: "The interview does not answer that question.",
    citations: [],
    contexts: [],
    grounded: false,
    mode: "extractive",
  };
  const questions: EvalQuestion[] = [
    { id: "a", question: "How many deputies?", answerable: true, evidence: ["from 107 to 98"], facts: [["98"]] },
    { id: "b", question: "Capital of Japan?", answerable: false },
    { id: "c", question: "Deputies again?", answerable: true, evidence: ["from 107 to 98"], facts: [["98"]] },
  ];
  const ask = async ({ message }: { message: string }) => ({
    response: message.startsWith("Capital") ? abstained : answered,
    latencyMs: 1,
  });

  it("judges every answer but abstentions with its valid quotes, and averages the verdicts", async () => {
    const judged: string[][] = [];
    const verdicts = [
      { faithfulness: 1, relevance: 1 },
      { faithfulness: 0.5, relevance: 0.6 },
    ];
    const results = (await runEval({
      questions,
      ask,
      sourceOf: () => source,
      k: 3,
      judge: async ({ quotes }) => {
        judged.push(quotes);
        return verdicts.shift()!;
      },
    })) as QuestionScore[];
    expect(judged).toEqual([[source], [source]]);
    expect(results.map((result) => result.judgedFaithfulness)).toEqual([1, null, 0.5]);
    const { metrics } = summarize(results, 3);
    expect(metrics.judgedFaithfulness).toBe(0.75);
    expect(metrics.judgedRelevance).toBe(0.8);
  });

  it("records a judge failure on the question without failing it", async () => {
    const results = (await runEval({
      questions: questions.slice(0, 1),
      ask,
      sourceOf: () => source,
      k: 3,
      judge: async () => {
        throw new JudgeReplyError("the judge did not reply with JSON");
      },
    })) as QuestionScore[];
    expect(results[0]).toMatchObject({
      passed: true,
      judgedFaithfulness: null,
      judgeError: "the judge did not reply with JSON",
    });
    expect(summarize(results, 3).metrics.judgedFaithfulness).toBeNull();
  });
});
