import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createAssistant, type Assistant } from "../src/create-assistant.js";
import { Insights } from "../src/insights/insights.js";
import { resolveFollowUp, standaloneQuestion, type ChatTurn } from "../src/retrieve/resolve-follow-up.js";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { FakeOpenAiServer } from "./support/fake-openai-server.js";
import { postJson, readEvents, silentLogger, startApp } from "./support/http.js";

// Issue 16: the record of a turn keeps the standalone question a follow-up was answered as: the
// LLM's condensed question, or offline the earlier question it leans on, then this one. Without a
// follow-up the column stays empty.

const history: ChatTurn[] = [
  { role: "user", content: "What were FDI inflows from the EU in 2021?" },
  { role: "assistant", content: "They amounted to USD 10.1 billion [1]." },
];
const followUp = "And how much did it grow?";
const resolvedOffline = "What were FDI inflows from the EU in 2021? And how much did it grow?";
const condensed = "By how much did FDI inflows from the EU grow in 2021?";

describe("standaloneQuestion", () => {
  it("is the follow-up as searched, and nothing for a question that leans on no earlier turn", () => {
    expect(standaloneQuestion(resolveFollowUp(followUp, history))).toBe(resolvedOffline);
    expect(standaloneQuestion(resolveFollowUp(followUp, []))).toBeUndefined();
    expect(standaloneQuestion(resolveFollowUp("Which Latvian ports receive Kazakh cargo?", history))).toBeUndefined();
  });
});

let upstream: FakeOpenAiServer;
let offline: Assistant;
let llm: Assistant;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  upstream = await new FakeOpenAiServer().start();
  // The condense request is the one whose prompt holds the conversation; the answer's holds passages.
  upstream.chat = {
    reply: (messages) =>
      messages.some((message) => message.content.includes("<conversation>")) ? condensed : "They grew by 24.3% [1].",
  };
  const project = await scratchProject();
  offline = await createAssistant(
    loadConfig({ LLM_PROVIDER: "extractive", DATA_DIR: project.dataDir, INDEX_DIR: project.indexDir }, projectRoot),
    { embedder: new FakeEmbedder() },
  );
  llm = await createAssistant(
    loadConfig(
      {
        OPENAI_BASE_URL: upstream.baseURL,
        OPENAI_API_KEY: "test-key",
        LLM_MAX_RETRIES: "0",
        DATA_DIR: project.dataDir,
        INDEX_DIR: project.indexDir,
      },
      projectRoot,
    ),
    { embedder: new FakeEmbedder() },
  );
});
afterAll(async () => {
  for (const close of closers) await close();
  await upstream.stop();
});

/** The app over `assistant` with insights in a new file; `standalone(id)` reads a turn's column back from the file. */
async function serve(assistant: Assistant) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "interview-chat-standalone-")), "insights.sqlite");
  const insights = Insights.open({ file }, { logger: silentLogger });
  const app = await startApp({ answerer: assistant.answerer, insights });
  closers.push(
    () => app.close(),
    () => insights.close(),
  );
  const standalone = async (id: string) => {
    await insights.flush();
    const db = new Database(file, { readonly: true });
    try {
      return (
        db.prepare("SELECT standalone FROM turns WHERE id = ?").get(id) as { standalone: string | null } | undefined
      )?.standalone;
    } finally {
      db.close();
    }
  };
  return { url: app.url, standalone };
}

/** Asks as JSON, as SSE and through /v1, returning each reply's id. */
async function askEveryWay(url: string, message: string, turns: ChatTurn[]) {
  const json = (await (await postJson(`${url}/api/chat`, { message, history: turns })).json()).id as string;
  const { events } = await readEvents(await postJson(`${url}/api/chat`, { message, history: turns, stream: true }));
  const sse = JSON.parse(events.find((event) => event.event === "done")!.data).id as string;
  const v1 = (
    await (
      await postJson(`${url}/v1/chat/completions`, { messages: [...turns, { role: "user", content: message }] })
    ).json()
  ).id as string;
  return { json, sse, v1 };
}

describe("the record of a follow-up", () => {
  it("offline: keeps the follow-up resolved against the earlier question, JSON, SSE and /v1, and again when the answer comes from the cache", async () => {
    const app = await serve(offline);
    const ids = await askEveryWay(app.url, followUp, history);
    for (const id of Object.values(ids)) expect(await app.standalone(id)).toBe(resolvedOffline);
    // The same follow-up again: the extractive answer is cached, its standalone question too.
    const again = (await (await postJson(`${app.url}/api/chat`, { message: followUp, history })).json()).id;
    expect(await app.standalone(again)).toBe(resolvedOffline);
  });

  it("offline: leaves it empty for a question that is not a follow-up", async () => {
    const app = await serve(offline);
    for (const id of Object.values(await askEveryWay(app.url, "Which Latvian ports receive Kazakh cargo?", history)))
      expect(await app.standalone(id)).toBeNull();
    for (const id of Object.values(await askEveryWay(app.url, followUp, [])))
      expect(await app.standalone(id)).toBeNull();
  });

  it("with the LLM: keeps the question the model condensed the follow-up into", async () => {
    const app = await serve(llm);
    const ids = await askEveryWay(app.url, followUp, history);
    for (const id of Object.values(ids)) expect(await app.standalone(id)).toBe(condensed);
  });

  it("with the LLM: falls back to the offline resolution when condensing fails", async () => {
    const app = await serve(llm);
    upstream.faults.push("500"); // the condense request; the answer goes through
    const id = (await (await postJson(`${app.url}/api/chat`, { message: followUp, history })).json()).id;
    expect(await app.standalone(id)).toBe(resolvedOffline);
  });

  it("never reaches the client", async () => {
    const app = await serve(llm);
    const reply = await (await postJson(`${app.url}/api/chat`, { message: followUp, history })).text();
    expect(reply).not.toContain(condensed);
    expect(reply).not.toContain("standalone");
  });
});
