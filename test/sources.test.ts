import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import type { ChatResponse } from "../src/contract/index.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { postJson, startApp } from "./support/http.js";

// A second interview beside the first: citations must say which file each quote is from.
const second = `Talk about rivers

The Danube interview

Q: Which river do you study?
A: I study the Danube, which flows through ten countries before it reaches the Black Sea.

Q: What worries you about it?
A: Pollution from the upper basin worries me most. The delta's wetlands are shrinking every year.
`;

async function serveCorpus(extraFiles: Record<string, string>) {
  const project = await scratchProject();
  for (const [name, text] of Object.entries(extraFiles)) await writeFile(path.join(project.dataDir, name), text);
  const embedder = new FakeEmbedder();
  const opened = await openIndex({ ...project, embedder });
  const answerer = new ExtractiveAnswerer({
    retriever: new HybridRetriever(opened.index, embedder),
    interviews: opened.interviews,
    chunks: opened.index.chunks,
  });
  const sources = opened.interviews.map((interview) => interview.source.name);
  return { opened, app: await startApp({ answerer, sources, protection: { rateLimitPerMinute: 0 } }) };
}

let one: Awaited<ReturnType<typeof serveCorpus>>;
let two: Awaited<ReturnType<typeof serveCorpus>>;
beforeAll(async () => {
  one = await serveCorpus({});
  two = await serveCorpus({ "rivers.txt": second });
});
afterAll(async () => {
  await one.app.close();
  await two.app.close();
});

const chat = async (url: string, body: object, query = "") => {
  const response = await postJson(`${url}/api/chat${query}`, body);
  return {
    status: response.status,
    body: (await response.json()) as ChatResponse & { error?: { code: string; message: string } },
  };
};
const question = { message: "Which Latvian ports receive Kazakh export cargo?" };

describe("citations name their file", () => {
  it("in every citation and context, with chunk ids that stay the same when a second file is added", async () => {
    const alone = await chat(one.app.url, question);
    const together = await chat(two.app.url, { ...question, sources: ["interview.txt"] });
    expect(alone.status).toBe(200);
    expect(alone.body.citations.length).toBeGreaterThan(0);
    for (const item of [...alone.body.citations, ...alone.body.contexts]) {
      expect(item.source).toBe("interview.txt");
      expect(item.chunkId).toMatch(/^(intro|q\d+)(-\d+)?$/);
    }
    // The same passages by the same names, whatever else data/ holds.
    expect(together.body.citations.map(({ source, chunkId }) => [source, chunkId])).toEqual(
      alone.body.citations.map(({ source, chunkId }) => [source, chunkId]),
    );
    for (const citation of together.body.citations) {
      expect(
        two.opened.sources.find((file) => file.name === citation.source)!.text.slice(citation.start, citation.end),
      ).toBe(citation.quote);
    }
  });

  it("quotes the second file by its own name and offsets", async () => {
    const { body } = await chat(two.app.url, { message: "Which river flows through ten countries?" });
    const cited = body.citations.filter((citation) => citation.source === "rivers.txt");
    expect(cited.length).toBeGreaterThan(0);
    for (const citation of cited) expect(second.slice(citation.start, citation.end)).toBe(citation.quote);
  });
});

describe("sources limits a question to some files", () => {
  it("in the body, or as ?source= on the URL", async () => {
    for (const [body, query] of [
      [{ ...question, sources: ["rivers.txt"] }, ""],
      [question, "?source=rivers.txt"],
    ] as const) {
      const reply = await chat(two.app.url, body, query);
      expect(reply.status).toBe(200);
      expect(reply.body.contexts.length).toBeGreaterThan(0);
      expect(reply.body.contexts.every((context) => context.source === "rivers.txt")).toBe(true);
      expect(reply.body.citations.every((citation) => citation.source === "rivers.txt")).toBe(true);
    }
    const both = await chat(two.app.url, question, "?source=rivers.txt&source=interview.txt");
    expect(both.body.citations.some((citation) => citation.source === "interview.txt")).toBe(true);
  });

  it("refuses an unknown file with a 400 naming it, on /api/chat and /v1/chat/completions", async () => {
    const unknown = await chat(two.app.url, { ...question, sources: ["interview.txt", "secret.txt"] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      code: "invalid_request",
      message: expect.stringContaining('"secret.txt"'),
    });
    expect(unknown.body.error!.message).not.toContain('"interview.txt"');
    expect((await chat(two.app.url, question, "?source=../etc/passwd")).status).toBe(400);
    expect((await chat(two.app.url, { ...question, sources: [] })).status).toBe(400);

    const completion = await postJson(`${two.app.url}/v1/chat/completions`, {
      messages: [{ role: "user", content: question.message }],
      sources: ["nope.txt"],
    });
    expect(completion.status).toBe(400);
    expect(JSON.stringify(await completion.json())).toContain("nope.txt");
    const limited = await postJson(`${two.app.url}/v1/chat/completions`, {
      messages: [{ role: "user", content: question.message }],
      sources: ["rivers.txt"],
    });
    const contexts = ((await limited.json()) as { contexts: Array<{ source: string }> }).contexts;
    expect(contexts.length).toBeGreaterThan(0);
    expect(contexts.every((context) => context.source === "rivers.txt")).toBe(true);
  });
});
