import { describe, expect, it } from "vitest";
import { SuggestionPool } from "../src/answer/route/suggestions.js";
import type { ChatResponse } from "../src/answer/types.js";
import type { ParsedInterview } from "../src/ingest/parse-interview.js";

const span = (text: string) => ({ text, start: 0, end: text.length });
const interview = {
  source: { id: "interview", name: "interview.txt", text: "" },
  title: span("An interview"),
  lead: [],
  boilerplate: [],
  interviewee: { name: "Ada Lovelace", sentence: span("Ada Lovelace") },
  questions: [
    {
      number: 1,
      speaker: "Q",
      question: span("How do you see the engine? What is its future?"),
      answer: span("…"),
      start: 0,
      end: 1,
    },
    { number: 2, speaker: "Q", question: span("What did you publish in 1843?"), answer: span("…"), start: 1, end: 2 },
  ],
} as unknown as ParsedInterview;

const reply = (grounded: boolean): ChatResponse => ({
  kind: grounded ? "answer" : "no_answer",
  answer: "",
  claims: [],
  citations: [],
  contexts: [],
  grounded,
  mode: "extractive",
  suggestions: [],
});

describe("SuggestionPool", () => {
  it("keeps only the questions whose answer, asked as they stand, is grounded, and names the interviewee for 'you'", async () => {
    const asked: string[] = [];
    const pool = await SuggestionPool.build([interview], async (question) => {
      asked.push(question);
      return reply(!question.includes("future"));
    });
    expect(asked).toContain("How does Lovelace see the engine?");
    expect(asked).toContain("What is its future?");
    expect(pool.all).toEqual([
      "Who was interviewed?",
      "What are the main topics of the interview?",
      "How does Lovelace see the engine?",
      "What did Lovelace publish in 1843?",
    ]);
  });

  it("asks each distinct candidate once, and at most 60 whatever the number of interviews", async () => {
    const copies = Array.from({ length: 1_000 }, (_, i) => ({
      ...interview,
      source: { ...interview.source, name: `copy-${i}.txt` },
      questions: interview.questions.map((section) => ({
        ...section,
        question: span(`What did you write in ${1800 + i}?`),
      })),
    })) as unknown as ParsedInterview[];
    const asked: string[] = [];
    await SuggestionPool.build([interview, interview, ...copies], async (question) => {
      asked.push(question);
      return reply(false);
    });
    expect(new Set(asked).size).toBe(asked.length);
    expect(asked).toHaveLength(60);
    expect(asked.slice(0, 5)).toEqual([
      "Who was interviewed?",
      "What are the main topics of the interview?",
      "How does Lovelace see the engine?",
      "What is its future?",
      "What did Lovelace publish in 1843?",
    ]);
  });

  it("offers first what shares words with the question, and never a section the reply already quotes", async () => {
    const pool = await SuggestionPool.build([interview], async () => reply(true));
    expect(pool.choose("When was it published?", { citations: [] }, 2)).toEqual([
      "What did Lovelace publish in 1843?",
      "Who was interviewed?",
    ]);
    const quoted = [{ n: 1, source: "interview.txt", chunkId: "q2", section: "", quote: "", start: 0, end: 0 }];
    expect(pool.choose("When was it published?", { citations: quoted }, 5)).not.toContain(
      "What did Lovelace publish in 1843?",
    );
    // The same section of another file is another section.
    const elsewhere = [{ ...quoted[0]!, source: "other.txt" }];
    expect(pool.choose("When was it published?", { citations: elsewhere }, 5)).toContain(
      "What did Lovelace publish in 1843?",
    );
  });
});

describe("SuggestionPool.choose with sources", () => {
  it("offers only questions about the files the reader chose, and those about the interview as a whole", async () => {
    const other = {
      ...interview,
      source: { ...interview.source, name: "other.txt" },
      interviewee: { name: "Charles Babbage", sentence: span("Charles Babbage") },
      questions: [{ ...interview.questions[1]!, question: span("Where did you build the difference engine?") }],
    } as unknown as ParsedInterview;
    const pool = await SuggestionPool.build([interview, other], async () => reply(true));
    const chosen = pool.choose("hello", { citations: [] }, 10, ["other.txt"]);
    expect(chosen).toContain("Where did Babbage build the difference engine?");
    expect(chosen).toContain("Who was interviewed?");
    expect(chosen.some((question) => question.includes("Lovelace"))).toBe(false);
    expect(pool.choose("hello", { citations: [] }, 10).some((question) => question.includes("Lovelace"))).toBe(true);
  });
});
