import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Answerer, Claim } from "../src/answer/types.js";
import { loadConfig } from "../src/config.js";
import { createAssistant } from "../src/create-assistant.js";
import { markerStyles, ReplayOpenAiServer, readRecordedAnswers, withoutMarkers, type MarkerStyle, type RecordedAnswer } from "../test/support/replay-openai-server.js";

/** One claim of a replayed answer, with the fixture's word on whether it is invented. */
export interface LabelledClaim {
  id: string;
  type: RecordedAnswer["type"];
  style: MarkerStyle;
  claim: Claim;
  invented: boolean;
}

const comparable = (text: string) => withoutMarkers(text).toLowerCase().replace(/\s+/g, " ").replace(/[.!?]+$/, "");

/**
 * Replays every recorded model answer (test/fixtures/llm-answers.jsonl) in every marker style
 * through the real LLM answerer (local embedder, the project's index), and labels each claim it
 * returns with the fixture's own word on whether that sentence was invented.
 */
export async function replayRecordedAnswers(options: { styles?: MarkerStyle[]; root?: string } = {}): Promise<{ claims: LabelledClaim[]; responses: Array<{ recorded: RecordedAnswer; style: MarkerStyle; response: Awaited<ReturnType<Answerer["answer"]>> }> }> {
  const root = options.root ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const base = loadConfig({ LLM_PROVIDER: "extractive", LOG_LEVEL: "silent" }, root);
  const extractive = await createAssistant(base);
  const replay = await new ReplayOpenAiServer(extractive.opened.index.chunks).start();
  try {
    const config = loadConfig({ OPENAI_BASE_URL: replay.baseURL, OPENAI_API_KEY: "replay", LLM_PROVIDER: "openai", LLM_MAX_RETRIES: "0", LOG_LEVEL: "silent" }, root);
    const { answerer } = await createAssistant(config);
    const claims: LabelledClaim[] = [];
    const responses = [];
    for (const style of options.styles ?? markerStyles) {
      replay.style = style;
      for (const recorded of readRecordedAnswers()) {
        replay.answerFor = () => recorded.answer;
        const response = await answerer.answer({ message: recorded.question });
        responses.push({ recorded, style, response });
        const invented = new Set(recorded.invented.map(comparable));
        for (const claim of response.claims) claims.push({ id: recorded.id, type: recorded.type, style, claim, invented: invented.has(comparable(claim.text)) });
      }
    }
    return { claims, responses };
  } finally {
    await replay.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { claims } = await replayRecordedAnswers();
  const rows = ["| marker style | true claims | flagged (false flags) | invented claims | flagged |", "|---|---|---|---|---|"];
  for (const style of markerStyles) {
    const ofStyle = claims.filter((claim) => claim.style === style);
    const real = ofStyle.filter((claim) => !claim.invented);
    const invented = ofStyle.filter((claim) => claim.invented);
    rows.push(`| ${style} | ${real.length} | ${real.filter((c) => !c.claim.supported).length} | ${invented.length} | ${invented.filter((c) => !c.claim.supported).length} |`);
  }
  console.log(rows.join("\n"));
  console.log("\nFlagged true claims (before style):");
  for (const c of claims.filter((c) => c.style === "before" && !c.invented && !c.claim.supported)) console.log(`  ${c.id} ${c.type} support=${c.claim.support} ${c.claim.text}`);
  console.log("\nInvented claims passed as supported (before style):");
  for (const c of claims.filter((c) => c.style === "before" && c.invented && c.claim.supported)) console.log(`  ${c.id} ${c.type} support=${c.claim.support} ${c.claim.text}`);
  const supports = (invented: boolean) => claims.filter((c) => c.style === "before" && c.invented === invented).map((c) => c.claim.support).sort((a, b) => a - b);
  console.log("\nsupport of true claims:", supports(false).join(" "));
  console.log("support of invented claims:", supports(true).join(" "));
}
