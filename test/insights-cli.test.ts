import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadQuestionSet, QuestionSetError } from "../src/evaluate/question-set.js";
import { Insights } from "../src/insights/insights.js";
import { projectRoot } from "./support/corpus.js";
import { silentLogger } from "./support/http.js";

const run = promisify(execFile);
const folder = mkdtempSync(path.join(tmpdir(), "insights-cli-"));
const file = path.join(folder, "insights.sqlite");
afterAll(() => rmSync(folder, { recursive: true, force: true }));

beforeAll(async () => {
  const insights = Insights.open({ file }, { logger: silentLogger });
  const turn = {
    grounded: false,
    mode: "extractive" as const,
    citations: [],
    answer: "",
    latencyMs: 4,
    clientAddress: "10.1.1.1",
  };
  insights.record({ ...turn, id: "1", question: "Who won the 2024 football cup?", kind: "no_answer" });
  insights.record({ ...turn, id: "2", question: "who won the 2024 football cup", kind: "no_answer" });
  insights.record({ ...turn, id: "3", question: "hi", kind: "smalltalk" });
  insights.record({
    ...turn,
    id: "4",
    question: "Where is the container hub?",
    kind: "answer",
    grounded: true,
    citations: [{ n: 1, source: "interview.txt", chunkId: "q5", section: "Logistics?", quote: "x", start: 0, end: 1 }],
  });
  await insights.flush();
  insights.vote({ id: "4", clientAddress: "10.1.1.1", rating: "down", comment: "Wrong city" });
  await insights.close();
});

const cli = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "src/cli/insights.ts", ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, INSIGHTS_DB: file },
  });

describe("npm run insights", () => {
  it("prints the report as JSON and as tables", { timeout: 30_000 }, async () => {
    const report = JSON.parse((await cli("--json", "--days", "3")).stdout);
    expect(report).toMatchObject({
      days: 3,
      total: 4,
      byKind: { answer: 1, no_answer: 2, smalltalk: 1 },
      answerRate: 1 / 3,
      feedback: { up: 0, down: 1 },
    });
    const text = (await cli()).stdout;
    expect(text).toMatch(/4 turns: 1 answered, 2 unanswered, 1 small talk; answer rate 33\.3 %/);
    expect(text).toMatch(/Unanswered\n\s+count\s+last asked\s+question\n\s+2\s+\S+\s+who won the 2024 football cup/);
    expect(text).toMatch(/Thumbs down[\s\S]*Where is the container hub\?\s+Wrong city/);
  });

  it(
    "writes one self-contained HTML page: the chart and the tables, questions escaped, nothing fetched",
    { timeout: 30_000 },
    async () => {
      const page = path.join(folder, "report.html");
      await cli("--html", page);
      const html = readFileSync(page, "utf8");
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain("<svg");
      expect(html.match(/<rect /g)).toHaveLength(3); // one day, three kinds
      expect(html).toContain("who won the 2024 football cup");
      expect(html).toContain("Wrong city");
      expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\//i);
    },
  );

  it(
    "exports unanswered and thumbs-down questions as a draft that npm run eval refuses until it is filled",
    { timeout: 30_000 },
    async () => {
      const draftFile = path.join(folder, "draft.jsonl");
      await cli("--export-eval", draftFile);
      const lines = readFileSync(draftFile, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(lines).toEqual([
        {
          id: "reader-1",
          question: "Who won the 2024 football cup?",
          draft: true,
          note: "unanswered, asked 2×",
          answerable: null,
          evidence: [],
          facts: [],
        },
        {
          id: "reader-2",
          question: "Where is the container hub?",
          draft: true,
          note: "thumbs down: Wrong city",
          answerable: null,
          evidence: [],
          facts: [],
        },
      ]);
      const source = readFileSync(path.join(projectRoot, "data/interview.txt"), "utf8");
      await expect(loadQuestionSet(draftFile, [source])).rejects.toThrow(
        new RegExp(`${draftFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1: a draft`),
      );
      await expect(loadQuestionSet(draftFile, [source])).rejects.toBeInstanceOf(QuestionSetError);

      // A person decides each line: the first is not in the interview; the second is, with its evidence.
      const evidence = source.match(/[^.]*container hub[^.]*\./i)?.[0]?.trim();
      expect(evidence).toBeTruthy();
      const filled = [
        { id: "reader-1", question: lines[0].question, answerable: false },
        { id: "reader-2", question: lines[1].question, answerable: true, evidence: [evidence], facts: [["hub"]] },
      ];
      writeFileSync(draftFile, filled.map((line) => JSON.stringify(line)).join("\n"));
      expect(await loadQuestionSet(draftFile, [source])).toHaveLength(2);
    },
  );
});
