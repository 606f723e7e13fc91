import { Command } from "commander";
import { loadConfig } from "../config.js";
import { createAssistant } from "../create-assistant.js";
import { BadRequestError } from "../errors.js";
import { createLogger } from "../logger.js";
import { runCli } from "./run-cli.js";
import { checkSources } from "../serve/chat-route.js";
import { toWire, type ChatResponse } from "../contract/index.js";

const program = new Command()
  .name("ask")
  .description("Ask the interview a question; prints the answer and its citations.")
  .argument("<question...>", "the question")
  .option("--json", "print the response object of the HTTP contract")
  .option(
    "--follow-up-of <question>",
    "an earlier question this one follows up on (repeatable)",
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .option(
    "--source <file>",
    "only this file of data/, e.g. interview.txt (repeatable)",
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .showHelpAfterError();

runCli(async () => {
  program.parse();
  const options = program.opts<{ json?: boolean; followUpOf: string[]; source: string[] }>();
  const question = program.args.join(" ").trim();
  if (question === "") throw new BadRequestError("The question is empty");
  const config = loadConfig();
  const { answerer, opened } = await createAssistant(config, {
    logger: createLogger(config.logLevel === "info" ? "warn" : config.logLevel, 2, [config.openai.apiKey]),
  });
  const history = options.followUpOf.map((content) => ({ role: "user" as const, content }));
  // Checked as the server checks a request's sources: an unknown file is named, not answered from nothing.
  const sources = checkSources(
    options.source.length > 0 ? options.source : undefined,
    opened.interviews.map((interview) => interview.source.name),
  );
  const response = await answerer.answer({ message: question, history, ...(sources ? { sources } : {}) });
  process.stdout.write(options.json ? `${JSON.stringify(toWire(response), null, 2)}\n` : formatResponse(response));
});

function formatResponse(response: ChatResponse): string {
  const lines = [response.answer, ""];
  for (const citation of response.citations) {
    lines.push(
      `[${citation.n}] ${citation.section}`,
      `    “${citation.quote}” (${citation.source}, characters ${citation.start}–${citation.end})`,
    );
  }
  return `${lines.join("\n")}\n`;
}
