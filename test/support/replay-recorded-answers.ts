import type { Answerer, Claim } from "../../src/answer/types.js";
import { loadConfig } from "../../src/config.js";
import { createAssistant } from "../../src/create-assistant.js";
import { projectRoot } from "./corpus.js";
import {
  markerStyles,
  ReplayOpenAiServer,
  readRecordedAnswers,
  withoutMarkers,
  type MarkerStyle,
  type RecordedAnswer,
} from "./replay-openai-server.js";

/** One claim of a replayed answer, with the fixture's word on whether it is invented. */
export interface LabelledClaim {
  id: string;
  type: RecordedAnswer["type"];
  style: MarkerStyle;
  claim: Claim;
  invented: boolean;
}

const comparable = (text: string) =>
  withoutMarkers(text)
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/[.!?]+$/, "");

/**
 * The real LLM answerer (local embedder, the project's index) whose model is a replay server on
 * loopback: set `replay.answerFor` to what the model says. Stop `replay` when done.
 */
export async function replayingAssistant(options: { dataDir?: string; indexDir?: string } = {}) {
  const dirs = {
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...(options.indexDir ? { INDEX_DIR: options.indexDir } : {}),
    LOG_LEVEL: "silent",
  };
  const extractive = await createAssistant(loadConfig({ ...dirs, LLM_PROVIDER: "extractive" }, projectRoot));
  const replay = await new ReplayOpenAiServer(extractive.opened.index.chunks).start();
  const config = loadConfig(
    {
      ...dirs,
      OPENAI_BASE_URL: replay.baseURL,
      OPENAI_API_KEY: "replay",
      LLM_PROVIDER: "openai",
      LLM_MAX_RETRIES: "0",
    },
    projectRoot,
  );
  return { replay, answerer: (await createAssistant(config)).answerer };
}

/**
 * Replays every recorded model answer (test/fixtures/llm-answers.jsonl) in every marker style
 * through the real LLM answerer (local embedder, the project's index), and labels each claim it
 * returns with the fixture's own word on whether that sentence was invented.
 */
export async function replayRecordedAnswers(
  options: { styles?: MarkerStyle[]; dataDir?: string; indexDir?: string } = {},
): Promise<{
  claims: LabelledClaim[];
  responses: Array<{ recorded: RecordedAnswer; style: MarkerStyle; response: Awaited<ReturnType<Answerer["answer"]>> }>;
}> {
  const { replay, answerer } = await replayingAssistant(options);
  try {
    const claims: LabelledClaim[] = [];
    const responses = [];
    for (const style of options.styles ?? markerStyles) {
      replay.style = style;
      for (const recorded of readRecordedAnswers()) {
        replay.answerFor = () => recorded.answer;
        const response = await answerer.answer({ message: recorded.question });
        responses.push({ recorded, style, response });
        const invented = new Set(recorded.invented.map(comparable));
        for (const claim of response.claims)
          claims.push({
            id: recorded.id,
            type: recorded.type,
            style,
            claim,
            invented: invented.has(comparable(claim.text)),
          });
      }
    }
    return { claims, responses };
  } finally {
    await replay.stop();
  }
}
