import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadQuestionSet, QuestionSetError } from "../src/evaluate/question-set.js";
import { projectRoot, readInterview, starterQuestionsPath } from "./support/corpus.js";

let interview: string;
let folder: string;

beforeAll(async () => {
  interview = await readInterview();
  folder = await mkdtemp(path.join(tmpdir(), "eval-questions-"));
});

const good = {
  id: "g1",
  question: "How many deputies?",
  answerable: true,
  evidence: ["reduced from 107 to 98"],
  facts: [["98"]],
};
const line = (value: unknown) => JSON.stringify(value);

/** Writes `lines` to a fresh JSONL file and loads it; resolves to the questions or the error. */
async function load(name: string, lines: string[]) {
  const file = path.join(folder, `${name}.jsonl`);
  await writeFile(file, `${lines.join("\n")}\n`);
  return { file, result: await loadQuestionSet(file, [interview]).catch((error: unknown) => error) };
}

describe("loading a question set", () => {
  it("loads the starter set and the project's set, with their answerable and unanswerable questions", async () => {
    const starter = await loadQuestionSet(starterQuestionsPath, [interview]);
    expect(starter).toHaveLength(30);
    const project = await loadQuestionSet(path.join(projectRoot, "eval/questions.jsonl"), [interview]);
    expect(project.length).toBeGreaterThanOrEqual(60);
    expect(project.filter((question) => !question.answerable).length).toBeGreaterThanOrEqual(10);
    expect(project.some((question) => (question.history ?? []).length > 0)).toBe(true);
  });

  it("skips blank lines but still counts them in line numbers", async () => {
    const { file, result } = await load("blank-lines", [line(good), "", "   ", "{oops"]);
    expect(result).toBeInstanceOf(QuestionSetError);
    expect((result as Error).message).toMatch(new RegExp(`^${escapeRegExp(file)}:4: not valid JSON`));
  });

  it("names the file and line of a line that is not JSON", async () => {
    const { file, result } = await load("bad-json", [line(good), '{"id": "g2", "question": "Why?",']);
    expect(result).toBeInstanceOf(QuestionSetError);
    expect((result as Error).message).toMatch(new RegExp(`^${escapeRegExp(file)}:2: not valid JSON`));
  });

  it("names an unknown field and its line", async () => {
    const { file, result } = await load("unknown-field", [line(good), line({ ...good, id: "g2", difficulty: "hard" })]);
    expect((result as Error).message).toBe(`${file}:2: unknown field "difficulty"`);
  });

  it("rejects evidence or facts on an unanswerable question as unknown fields", async () => {
    const { file, result } = await load("unanswerable-evidence", [
      line({ id: "u1", question: "Japan?", answerable: false, evidence: ["x"] }),
    ]);
    expect((result as Error).message).toBe(`${file}:1: unknown field "evidence"`);
  });

  it("names a missing field, and a field of the wrong type with its path", async () => {
    const { facts: _facts, ...withoutFacts } = good;
    const missing = await load("missing-field", [line(withoutFacts)]);
    expect((missing.result as Error).message).toBe(`${missing.file}:1: missing field "facts"`);
    const wrongRole = await load("wrong-role", [line({ ...good, history: [{ role: "system", content: "x" }] })]);
    expect((wrongRole.result as Error).message).toMatch(
      new RegExp(`^${escapeRegExp(wrongRole.file)}:1: history\\.0\\.role: `),
    );
    const noAnswerable = await load("no-answerable", [line({ id: "x", question: "Why?" })]);
    expect((noAnswerable.result as Error).message).toBe(`${noAnswerable.file}:1: answerable: must be true or false`);
  });

  it("rejects evidence that is not verbatim in the interview, quoting it and naming the line", async () => {
    const { file, result } = await load("paraphrased-evidence", [
      line(good),
      line({ ...good, id: "g2", evidence: ["reduced from 107 to 99"] }),
    ]);
    expect((result as Error).message).toBe(
      `${file}:2: evidence is not verbatim in the interview: "reduced from 107 to 99"`,
    );
  });

  it("rejects a duplicate id", async () => {
    const { file, result } = await load("duplicate-id", [line(good), line(good)]);
    expect((result as Error).message).toBe(`${file}:2: duplicate id "g1"`);
  });

  it("says so when the file is missing or holds no question", async () => {
    const missing = path.join(folder, "nope.jsonl");
    await expect(loadQuestionSet(missing, [interview])).rejects.toThrow(
      `Cannot read question set ${missing}: no such file`,
    );
    const { file, result } = await load("empty", [""]);
    expect((result as Error).message).toBe(`${file} holds no questions`);
  });

  it("takes an overview without evidence, but no other answerable question", async () => {
    const overview = {
      id: "o1",
      question: "Summarize the interview",
      answerable: true,
      kind: "overview",
      evidence: [],
      facts: [["Baimukhan"]],
    };
    expect((await load("overview", [line(overview)])).result).toEqual([overview]);
    const { file, result } = await load("no-evidence", [line({ ...good, evidence: [] })]);
    expect((result as Error).message).toBe(
      `${file}:1: evidence: must hold at least one string (only an overview may have none)`,
    );
    const smalltalk = await load("answerable-smalltalk", [line({ ...good, kind: "smalltalk" })]);
    expect((smalltalk.result as Error).message).toBe(
      `${smalltalk.file}:1: small talk is not answerable from the interview`,
    );
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
