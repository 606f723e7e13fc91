import { readFile } from "node:fs/promises";
import { z } from "zod";
import { AppError } from "../errors.js";

const turn = z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string() });
const question = z.union([
  z.strictObject({
    id: z.string().min(1),
    question: z.string().min(1),
    history: z.array(turn).optional(),
    answerable: z.literal(true),
    evidence: z.array(z.string().min(1)).min(1),
    facts: z.array(z.array(z.string().min(1)).min(1)),
  }),
  z.strictObject({
    id: z.string().min(1),
    question: z.string().min(1),
    history: z.array(turn).optional(),
    answerable: z.literal(false),
  }),
]);

export type EvalQuestion = z.infer<typeof question>;

export class QuestionSetError extends AppError {
  constructor(message: string) {
    super("question_set_invalid", message, 400);
  }
}

/**
 * Loads a JSONL question set (format in DESIGN.md) and checks every `evidence` string is verbatim
 * in one of the source texts. @throws QuestionSetError naming the file and line.
 */
export async function loadQuestionSet(file: string, sourceTexts: string[]): Promise<EvalQuestion[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new QuestionSetError(`Cannot read question set ${file}: ${(error as Error).message}`);
  }
  const questions: EvalQuestion[] = [];
  const ids = new Set<string>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new QuestionSetError(`${where}: not valid JSON`);
    }
    const parsed = question.safeParse(value);
    if (!parsed.success) {
      throw new QuestionSetError(`${where}: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "line"}: ${issue.message}`).join("; ")}`);
    }
    if (ids.has(parsed.data.id)) throw new QuestionSetError(`${where}: duplicate id ${parsed.data.id}`);
    ids.add(parsed.data.id);
    if (parsed.data.answerable) {
      for (const evidence of parsed.data.evidence) {
        if (!sourceTexts.some((source) => source.includes(evidence))) {
          throw new QuestionSetError(`${where}: evidence is not verbatim in the interview: ${JSON.stringify(evidence)}`);
        }
      }
    }
    questions.push(parsed.data);
  });
  if (questions.length === 0) throw new QuestionSetError(`${file} holds no questions`);
  return questions;
}
