import { z } from "zod";
import { AppError } from "../errors.js";
import { parseInputJson, readInputText } from "./read-input-file.js";

const turn = z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string() });
const common = {
  id: z.string().min(1),
  question: z.string().min(1),
  history: z.array(turn).optional(),
  // smalltalk: the reply must be small talk, never the refusal; overview: it must cite at least
  // three sections (no evidence needed); followup: scored as any question, reported apart; about:
  // a question about the interview itself (who, what), scored as any question, reported apart;
  // cross: asked across an archive, its evidence one string from each interview that speaks to it,
  // scored by the share of those interviews it cites.
  kind: z.enum(["smalltalk", "overview", "followup", "about", "cross"]).optional(),
  /** For a timestamped source: the second its evidence is spoken; a citation of it must carry a time within 15 s. */
  moment: z.number().nonnegative().optional(),
  /** The files of data/ the question is asked of (the request's `sources`); every file when absent. */
  sources: z.array(z.string().min(1)).min(1).optional(),
};
const question = z.discriminatedUnion("answerable", [
  z.strictObject({
    ...common,
    answerable: z.literal(true),
    evidence: z.array(z.string().min(1)),
    facts: z.array(z.array(z.string().min(1)).min(1)),
  }),
  z.strictObject({ ...common, answerable: z.literal(false) }),
]);

export type EvalQuestion = z.infer<typeof question>;

export class QuestionSetError extends AppError {
  constructor(message: string) {
    super("question_set_invalid", message, 400);
  }
}

/**
 * Loads a JSONL question set (format in DESIGN.md): one object a line, blank lines skipped.
 * Every `evidence` string must be verbatim in one of `sourceTexts`; ids must be unique.
 * @throws QuestionSetError naming the file and line: unreadable file, invalid JSON, unknown or
 * missing fields, evidence not in the interview, a duplicate id, or no question at all.
 */
export async function loadQuestionSet(file: string, sourceTexts: string[]): Promise<EvalQuestion[]> {
  const fail = (message: string) => new QuestionSetError(message);
  const text = await readInputText({ path: file, label: "question set", fail });
  const questions: EvalQuestion[] = [];
  const ids = new Set<string>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${file}:${index + 1}`;
    const input = parseInputJson(line, where, fail);
    // Drafts come from `npm run insights -- --export-eval`: real readers' questions nobody has decided on yet.
    if (typeof input === "object" && input !== null && (input as { draft?: unknown }).draft === true) {
      throw new QuestionSetError(
        `${where}: a draft: set "answerable" (and for an answerable question "evidence" and "facts"), then remove "draft" and "note"`,
      );
    }
    const parsed = question.safeParse(input);
    if (!parsed.success) throw new QuestionSetError(`${where}: ${parsed.error.issues.map(describeIssue).join("; ")}`);
    if (ids.has(parsed.data.id)) throw new QuestionSetError(`${where}: duplicate id ${JSON.stringify(parsed.data.id)}`);
    ids.add(parsed.data.id);
    if (parsed.data.kind === "cross" && (!parsed.data.answerable || parsed.data.evidence.length < 2))
      throw new QuestionSetError(
        `${where}: a cross question is answerable, with evidence from at least two interviews`,
      );
    if (parsed.data.answerable && parsed.data.evidence.length === 0 && parsed.data.kind !== "overview") {
      throw new QuestionSetError(`${where}: evidence: must hold at least one string (only an overview may have none)`);
    }
    if (!parsed.data.answerable && parsed.data.kind === "overview")
      throw new QuestionSetError(`${where}: an overview is answerable`);
    if (parsed.data.answerable && parsed.data.kind === "smalltalk")
      throw new QuestionSetError(`${where}: small talk is not answerable from the interview`);
    if (parsed.data.answerable) {
      for (const evidence of parsed.data.evidence) {
        if (!sourceTexts.some((source) => source.includes(evidence))) {
          throw new QuestionSetError(
            `${where}: evidence is not verbatim in the interview: ${JSON.stringify(evidence)}`,
          );
        }
      }
    }
    questions.push(parsed.data);
  });
  if (questions.length === 0) throw new QuestionSetError(`${file} holds no questions`);
  return questions;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    const names = issue.keys.map((key) => JSON.stringify(key)).join(", ");
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${names}${field ? ` in ${field}` : ""}`;
  }
  if (field === "answerable" && issue.code === "invalid_union") return "answerable: must be true or false";
  if (issue.code === "invalid_type" && issue.input === undefined && issue.path.length === 1)
    return `missing field ${JSON.stringify(field)}`;
  return field ? `${field}: ${issue.message}` : issue.message;
}
