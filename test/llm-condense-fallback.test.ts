import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatTurn } from "../src/retrieve/resolve-follow-up.js";
import { loadConfig } from "../src/config.js";
import { createAssistant, type Assistant } from "../src/create-assistant.js";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { FakeOpenAiServer } from "./support/fake-openai-server.js";

// The LLM answerer as the server builds it from configuration, against the fake upstream; no real model.
let upstream: FakeOpenAiServer;
let assistant: Assistant;

beforeAll(async () => {
  upstream = await new FakeOpenAiServer().start();
  const project = await scratchProject();
  const config = loadConfig(
    {
      OPENAI_BASE_URL: upstream.baseURL,
      OPENAI_API_KEY: "test-key",
      LLM_MAX_RETRIES: "0",
      DATA_DIR: project.dataDir,
      INDEX_DIR: project.indexDir,
    },
    projectRoot,
  );
  expect(config.answerer).toBe("openai");
  assistant = await createAssistant(config, { embedder: new FakeEmbedder() });
  // The suggestions are checked through the same retriever this test counts calls to: done here, before counting.
  await assistant.checkSuggestions();
});
afterAll(() => upstream.stop());
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.faults.length = 0;
  vi.restoreAllMocks();
});

// "it" means the FDI inflows only through the earlier question: searched alone, the follow-up
// does not retrieve the passage that answers it.
const history: ChatTurn[] = [
  { role: "user", content: "What were FDI inflows from the EU in 2021?" },
  { role: "assistant", content: "They amounted to USD 10.1 billion [1]." },
];
const followUp = "And how much did it grow?";
const evidence = "FDI inflows from the EU in 2021 amounted to USD 10.1 billion, which is 24.3% higher";

describe("the LLM answerer when condensing a follow-up fails", () => {
  it("keeps the history, so the follow-up is still resolved against the earlier question", async () => {
    upstream.faults.push("500"); // the condense request; the answer request goes through
    upstream.chat = { reply: "They grew by 24.3% [1]." };
    const retrieve = vi.spyOn(assistant.retriever, "retrieve");
    const body = await assistant.answerer.answer({ message: followUp, history });

    const chat = upstream.requests.filter((request) => request.path === "/v1/chat/completions");
    expect(chat).toHaveLength(2);
    expect((chat[0]!.body as { stream?: boolean }).stream).not.toBe(true); // the condense request, which failed
    expect(retrieve).toHaveBeenCalledTimes(1);
    expect(retrieve.mock.calls[0]![0]).toBe(followUp);
    expect(retrieve.mock.calls[0]![1]?.history).toEqual(history);

    expect(body.degraded).toBeUndefined();
    expect(body.mode).toBe("llm");
    expect(body.contexts[0]!.text).toContain(evidence);
    const prompt = (chat[1]!.body as { messages: Array<{ content: string }> }).messages
      .map((message) => message.content)
      .join("\n");
    expect(prompt).toContain(evidence);
  });

  it("searches the follow-up alone when there is no history to lean on (the check above is not vacuous)", async () => {
    upstream.chat = { reply: "They grew by 24.3% [1]." };
    const body = await assistant.answerer.answer({ message: followUp, history: [] });
    expect(body.contexts.some((context) => context.text.includes(evidence))).toBe(false);
  });
});
