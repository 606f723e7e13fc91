import { readFile } from "node:fs/promises";
import path from "node:path";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { PromptError } from "../../errors.js";

/** The prompts the LLM answerer needs, each with the variables the code fills in. */
export const promptVariables = {
  answer: ["passages", "question", "refusal"],
  condense: ["history", "question"],
  // "Summarize the interview": written from the interview's parts (answer-about-interview.ts's overviewParts).
  overview: ["interviewee", "interviewer", "passages", "question"],
} as const;

export type PromptName = keyof typeof promptVariables;
export type Prompts = Record<PromptName, ChatPromptTemplate>;

export { PromptError };

/**
 * Loads `prompts/<name>.md` (a `## system` and a `## user` section, LangChain f-string
 * placeholders) into `ChatPromptTemplate`s, and checks each declares exactly the variables the
 * code passes, so a typo fails at start-up rather than on the first question.
 * @throws PromptError naming the file and the variables that differ.
 */
export async function loadPrompts(directory: string): Promise<Prompts> {
  const entries = await Promise.all(
    (Object.keys(promptVariables) as PromptName[]).map(
      async (name) => [name, await loadPrompt(path.join(directory, `${name}.md`), promptVariables[name])] as const,
    ),
  );
  return Object.fromEntries(entries) as Prompts;
}

async function loadPrompt(file: string, expected: readonly string[]): Promise<ChatPromptTemplate> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new PromptError(`Cannot read prompt ${file}: ${(error as Error).message}`);
  }
  const sections = new Map<string, string>();
  const parts = text.split(/^##\s+(system|user)\s*$/m);
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i]!, parts[i + 1]!.trim());
  const system = sections.get("system");
  const user = sections.get("user");
  if (!system || !user) throw new PromptError(`${file} needs a "## system" and a "## user" section`);
  let template: ChatPromptTemplate;
  try {
    template = ChatPromptTemplate.fromMessages([
      ["system", system],
      ["human", user],
    ]);
  } catch (error) {
    throw new PromptError(`${file} is not a valid template: ${(error as Error).message}`);
  }
  const declared = [...template.inputVariables].sort();
  const wanted = [...expected].sort();
  if (declared.join() !== wanted.join()) {
    throw new PromptError(
      `${file} uses variables {${declared.join("}, {")}} but the code passes {${wanted.join("}, {")}}`,
    );
  }
  return template;
}
