import { createParser } from "eventsource-parser";
import OpenAI from "openai";
import { FakeOpenAiServer } from "../test/support/fake-openai-server.js";
import { repeatedQuestion, type DistinctQuestions } from "./questions.js";
import type { LlmOverhead } from "./results-schema.js";
import { startServer } from "./server-process.js";
import { round, summarize } from "./stats.js";

const upstreamDelayMs = 200;
// About 50 words, streamed by the fake one word a chunk, citing two passages. Its content does
// not matter here: only how fast it travels.
const reply =
  "The first passage answers this directly, and the answer below follows its wording closely [1]. " +
  "A second point comes from the same passage, which adds the figures and the dates the question asks about [1]. " +
  "The second passage gives the wider context that the ambassador offers for these plans [2].";

interface Timing {
  /** To the `contexts` event (retrieval done); 0 for the direct client, which has none. */
  contexts: number;
  ttft: number;
  total: number;
}

/**
 * What answering through our server in LLM mode adds to a streamed reply, against a fake
 * OpenAI-compatible upstream that waits `upstreamDelayMs` before streaming: time to the first
 * `delta` event and to the end of the stream through POST /api/chat (`"stream": true`), against
 * time to the first content chunk and to the end with the official `openai` client straight
 * from the same upstream. Through the server twice: a distinct question (query embedding
 * computed) and a repeated one (embedding cached, retrieval still runs). The three are
 * interleaved, so drift on the machine hits them alike.
 */
export async function measureLlmOverhead(options: {
  dataDir: string;
  indexDir: string;
  samples: number;
  questions: DistinctQuestions;
}): Promise<LlmOverhead> {
  const upstream = await new FakeOpenAiServer().start();
  const server = await startServer({
    dataDir: options.dataDir,
    indexDir: options.indexDir,
    workers: 1,
    env: { OPENAI_BASE_URL: upstream.baseURL, LLM_MAX_RETRIES: "0" },
  });
  // The same questions in extractive mode, for the time to retrieval's `contexts` event: LLM mode
  // must not be slower before the model is asked than extractive mode is.
  const extractive = await startServer({
    dataDir: options.dataDir,
    indexDir: options.indexDir,
    workers: 1,
    env: { LLM_PROVIDER: "extractive" },
  });
  const client = new OpenAI({ apiKey: "not-needed", baseURL: upstream.baseURL, maxRetries: 0 });
  try {
    // A fresh server answers its first hundred questions slower (JIT, the model's first runs,
    // typo-variant caches filling): warm it up as the HTTP load runs do, with the upstream instant.
    upstream.chat = { reply, delayMs: 0 };
    for (let i = 0; i < 100; i++) {
      const question = options.questions.next();
      await streamThroughServer(server.url, question);
      await streamThroughServer(extractive.url, question);
    }
    await streamDirect(client, repeatedQuestion);
    upstream.chat = { reply, delayMs: upstreamDelayMs };
    const timings = {
      direct: [] as Timing[],
      distinct: [] as Timing[],
      repeated: [] as Timing[],
      extractive: [] as Timing[],
    };
    for (let i = 0; i < options.samples; i++) {
      const question = options.questions.next();
      timings.distinct.push(await streamThroughServer(server.url, question));
      timings.extractive.push(await streamThroughServer(extractive.url, question));
      timings.repeated.push(await streamThroughServer(server.url, repeatedQuestion));
      timings.direct.push(await streamDirect(client, question));
    }
    const summary = (list: Timing[]) => ({
      contexts: summarize(list.map((t) => t.contexts)),
      ttft: summarize(list.map((t) => t.ttft)),
      total: summarize(list.map((t) => t.total)),
    });
    const direct = summary(timings.direct);
    const throughServer = summary(timings.distinct);
    const serverRepeated = summary(timings.repeated);
    const added = (through: typeof direct, key: "ttft" | "total") => round(through[key].p50Ms - direct[key].p50Ms, 2);
    const p50 = (values: number[]) => summarize(values).p50Ms;
    return {
      extractiveContexts: summarize(timings.extractive.map((t) => t.contexts)),
      beforeModelVsExtractiveMs: round(
        throughServer.contexts.p50Ms - p50(timings.extractive.map((t) => t.contexts)),
        2,
      ),
      contextsToFirstTokenAddedMs: round(p50(timings.distinct.map((t) => t.ttft - t.contexts)) - direct.ttft.p50Ms, 2),
      afterLastTokenAddedMs: round(
        p50(timings.distinct.map((t) => t.total - t.ttft)) - p50(timings.direct.map((t) => t.total - t.ttft)),
        2,
      ),
      upstreamDelayMs,
      samples: options.samples,
      direct: { ttft: direct.ttft, total: direct.total },
      server: throughServer,
      serverRepeated,
      addedTtftMs: added(throughServer, "ttft"),
      addedTotalMs: added(throughServer, "total"),
      addedTtftRepeatedMs: added(serverRepeated, "ttft"),
      addedTotalRepeatedMs: added(serverRepeated, "total"),
    };
  } finally {
    await server.stop();
    await extractive.stop();
    await upstream.stop();
  }
}

async function streamThroughServer(url: string, question: string): Promise<Timing> {
  const started = performance.now();
  let contexts = 0;
  let ttft = 0;
  let done = false;
  let failure = "";
  const parser = createParser({
    onEvent: (event) => {
      if (event.event === "contexts" && contexts === 0) contexts = performance.now() - started;
      if (event.event === "delta" && ttft === 0) ttft = performance.now() - started;
      if (event.event === "done") done = true;
      if (event.event === "error") failure = event.data;
    },
  });
  const response = await fetch(`${url}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: question, stream: true }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) parser.feed(decoder.decode(chunk, { stream: true }));
  const total = performance.now() - started;
  if (!done || ttft === 0 || failure)
    throw new Error(`The LLM stream through the server did not complete: ${response.status} ${failure}`);
  return { contexts, ttft, total };
}

async function streamDirect(client: OpenAI, question: string): Promise<Timing> {
  const started = performance.now();
  let ttft = 0;
  const stream = await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: "Answer only from the numbered passages and cite them as [n]." },
      { role: "user", content: question },
    ],
    stream: true,
    temperature: 0,
  });
  for await (const chunk of stream) {
    if (ttft === 0 && chunk.choices[0]?.delta?.content) ttft = performance.now() - started;
  }
  return { contexts: 0, ttft, total: performance.now() - started };
}
