import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadQuestionSet, type EvalQuestion } from "../src/evaluate/question-set.js";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const interviewPath = path.join(projectRoot, "data/interview.txt");

/** The project's question set and the starter set kept in the repository. */
export const questionSetFiles = [
  path.join(projectRoot, "eval/questions.jsonl"),
  path.join(projectRoot, "test/fixtures/starter-questions.jsonl"),
].filter((file) => existsSync(file));

export async function loadQuestionSets(): Promise<Array<{ file: string; questions: EvalQuestion[] }>> {
  const source = await readFile(interviewPath, "utf8");
  return Promise.all(
    questionSetFiles.map(async (file) => ({
      file: path.relative(projectRoot, file),
      questions: await loadQuestionSet(file, [source]),
    })),
  );
}

// Framing that changes the text, so neither the query-embedding cache nor the answer cache can
// hit, without changing what is asked. Short on purpose: the encoder's cost grows with the text,
// and a distinct question should cost what a real one does. None of these words is a topic of
// the interview, and none triggers the patterns of questions about the interview itself.
const prefixes = [
  "",
  "Tell me: ",
  "Quick one: ",
  "Briefly, ",
  "Please, ",
  "Hi! ",
  "Hello, ",
  "Excuse me, ",
  "Sorry, ",
  "Kindly: ",
  "OK, ",
  "Hey, ",
];
const suffixes = [
  "",
  " Thanks.",
  " Thank you!",
  " Briefly.",
  " Please.",
  " Cheers.",
  " Ta.",
  " Many thanks.",
  " In brief?",
  " Source?",
  " Cite it.",
  " Much obliged.",
];

/**
 * An endless supply of distinct questions: every base question under every prefix and suffix,
 * then again with a round number appended. Consecutive questions differ in prefix and base.
 */
export class DistinctQuestions {
  private cursor = 0;

  constructor(private readonly bases: string[]) {
    if (bases.length === 0) throw new Error("No base questions");
  }

  /** Bases: every question of the question sets that `keep` accepts (default all). */
  static async fromQuestionSets(keep: (question: string) => boolean = () => true): Promise<DistinctQuestions> {
    const sets = await loadQuestionSets();
    const bases = [...new Set(sets.flatMap((set) => set.questions.map((question) => question.question.trim())))].filter(
      keep,
    );
    return new DistinctQuestions(bases);
  }

  get baseCount(): number {
    return this.bases.length;
  }

  next(): string {
    const i = this.cursor++;
    const prefix = prefixes[i % prefixes.length]!;
    const base = this.bases[Math.floor(i / prefixes.length) % this.bases.length]!;
    const combos = prefixes.length * this.bases.length;
    const suffix = suffixes[Math.floor(i / combos) % suffixes.length]!;
    const round = Math.floor(i / (combos * suffixes.length));
    return `${prefix}${base}${suffix}${round > 0 ? ` (${round})` : ""}`;
  }

  take(count: number): string[] {
    return Array.from({ length: count }, () => this.next());
  }
}

/** The question every "repeated" request asks (the README's example). */
export const repeatedQuestion = "Where is the container hub being built?";
