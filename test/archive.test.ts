import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import { TimedAnswerer } from "../src/answer/timed-answerer.js";
import {
  chatResponseSchema,
  sourceDetailSchema,
  sourceListSchema,
  type ChatResponse,
  type SourceDetail,
} from "../src/contract/index.js";
import { describeSource } from "../src/ingest/describe-source.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { postJson, startApp } from "./support/http.js";

// An archive of three interviews in three layouts, written for this test: the catalogue, scoping,
// questions about each interview, names found only in a speaker tag, cross-interview questions and
// the moment of a subtitle quote.
const files: Record<string, string> = {
  "ferry-qa.txt": [
    "Captain Ines Moreau: The Strait Is Busier Than Ever",
    "",
    "The harbour paper spoke with the ferry captain before the summer timetable.",
    "",
    "HARBOUR PAPER: How many crossings do you make in summer?",
    "",
    "I. MOREAU: We make fourteen crossings a day in July and August. The drought has lowered the river ports, so the ferry carries more freight.",
    "",
    "HARBOUR PAPER: When did you first sail this route?",
    "",
    "I. MOREAU: I first sailed the strait as a deckhand in 1994.",
  ].join("\n"),
  "orchard.vtt": [
    "WEBVTT",
    "",
    "00:00:01.000 --> 00:00:05.000",
    "<v Sam Ortiz>Hello. My guest today is Lea Brandt, who grows apples",
    "",
    "00:00:05.000 --> 00:00:08.000",
    "<v Sam Ortiz>in the valley. How was the harvest?",
    "",
    "00:00:08.000 --> 00:00:12.000",
    "<v Lea Brandt>Small. The drought took a third of the crop,",
    "",
    "00:00:12.000 --> 00:00:16.000",
    "<v Lea Brandt>and the pears suffered even more.",
    "",
    "00:01:30.000 --> 00:01:34.000",
    "<v Sam Ortiz>What will you plant next year?",
    "",
    "00:01:34.000 --> 00:01:39.000",
    "<v Lea Brandt>Two hectares of plums, which need less water.",
  ].join("\n"),
  "choir.md": [
    "---",
    "title: A choir for the whole town",
    "interviewee: Nadia Petrova",
    "interviewer: Town Weekly",
    "date: 2026-05-04",
    "---",
    "",
    "Nadia Petrova founded the town choir ten years ago.",
    "",
    "**Q:** How many singers does the choir have?",
    "",
    "**A:** We have 62 singers now, the youngest is nine.",
    "",
    "**Q:** Where do you rehearse?",
    "",
    "**A:** In the old grain hall, every Tuesday evening.",
  ].join("\n"),
};

let app: Awaited<ReturnType<typeof startApp>>;
let catalogue: SourceDetail[];
beforeAll(async () => {
  const project = await scratchProject();
  // Only this archive: the first interview is tested on its own elsewhere.
  const dataDir = path.join(project.root, "archive");
  await mkdir(dataDir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dataDir, name), text);
  await writeFile(path.join(dataDir, "notes.docx"), "not an interview");
  const embedder = new FakeEmbedder();
  const opened = await openIndex({ dataDir, indexDir: project.indexDir, embedder });
  const extractive = new ExtractiveAnswerer({
    retriever: new HybridRetriever(opened.index, embedder),
    interviews: opened.interviews,
    chunks: opened.index.chunks,
  });
  const times = new Map(opened.sources.flatMap((source) => (source.times ? [[source.name, source.times]] : [])));
  catalogue = opened.interviews.map(describeSource);
  app = await startApp({
    answerer: new TimedAnswerer(extractive, times),
    sources: opened.interviews.map((interview) => interview.source.name),
    catalogue,
    protection: { rateLimitPerMinute: 0 },
  });
});
afterAll(() => app.close());

const ask = async (message: string, sources?: string[]): Promise<ChatResponse> => {
  const response = await postJson(`${app.url}/api/chat`, { message, ...(sources ? { sources } : {}) });
  expect(response.status).toBe(200);
  return chatResponseSchema.parse(await response.json());
};

describe("the archive's catalogue", () => {
  it("lists every interview with who, what and how many questions, and no file of another type", async () => {
    const response = await fetch(`${app.url}/api/sources`);
    const { sources } = sourceListSchema.parse(await response.json());
    expect(sources.map((source) => [source.name, source.format, source.interviewee, source.questions])).toEqual([
      ["choir.md", "markdown", "Nadia Petrova", 2],
      ["ferry-qa.txt", "txt", "Captain Ines Moreau", 2],
      ["orchard.vtt", "vtt", "Lea Brandt", 2],
    ]);
    expect(sources.find((source) => source.name === "choir.md")).toMatchObject({
      title: "A choir for the whole town",
      interviewer: "Town Weekly",
      date: "2026-05-04",
      timestamps: false,
    });
    expect(sources.find((source) => source.name === "orchard.vtt")?.timestamps).toBe(true);
    expect(JSON.stringify(sources)).not.toContain('"text"');
  });

  it("serves each interview's readable text, which every citation's offsets index", async () => {
    const reply = await ask("How many crossings does the ferry make in summer?");
    expect(reply.citations.length).toBeGreaterThan(0);
    for (const citation of reply.citations) {
      const response = await fetch(`${app.url}/api/sources/${encodeURIComponent(citation.source)}`);
      const source = sourceDetailSchema.parse(await response.json());
      expect(source.text.slice(citation.start, citation.end)).toBe(citation.quote);
    }
    const vtt = sourceDetailSchema.parse(await (await fetch(`${app.url}/api/sources/orchard`)).json());
    expect(vtt.text).not.toMatch(/-->|<v |WEBVTT/);
  });

  it("answers an unknown id with a 404 naming the list", async () => {
    const response = await fetch(`${app.url}/api/sources/nothing-here`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("GET /api/sources");
  });
});

describe("questions across an archive", () => {
  it("answers a question naming the interviewee only by the surname in her speaker tag", async () => {
    const reply = await ask("When did Moreau first sail the strait?");
    expect(reply.kind).toBe("answer");
    expect(reply.answer).toContain("1994");
    expect(reply.citations.every((citation) => citation.source === "ferry-qa.txt")).toBe(true);
  });

  it("says who was interviewed in the file a question is scoped to", async () => {
    const reply = await ask("Who is being interviewed here?", ["choir.md"]);
    expect(reply.answer).toContain("Nadia Petrova");
    expect(reply.answer).not.toMatch(/Moreau|Brandt/);
    expect(reply.citations.every((citation) => citation.source === "choir.md")).toBe(true);
  });

  it("cites each interview that speaks to a cross-interview question, and only those", async () => {
    const reply = await ask("Which interviews mention the drought?");
    expect(reply.kind).toBe("answer");
    expect(new Set(reply.citations.map((citation) => citation.source))).toEqual(
      new Set(["ferry-qa.txt", "orchard.vtt"]),
    );
    for (const claim of reply.claims) expect(reply.answer.slice(claim.start, claim.end)).toBe(claim.text);
    for (const citation of reply.citations) expect(reply.answer).toContain(`[${citation.n}]`);
  });

  it("gives a subtitle quote its moment in the recording", async () => {
    const reply = await ask("Which trees need less water, says Lea Brandt?", ["orchard.vtt"]);
    const citation = reply.citations.find((candidate) => candidate.quote.includes("plums"));
    expect(citation?.time).toEqual({ start: 94, end: 99 });
    expect(reply.contexts.every((context) => context.time !== undefined)).toBe(true);
    const other = await ask("Where does the choir rehearse?", ["choir.md"]);
    expect(other.citations.every((candidate) => candidate.time === undefined)).toBe(true);
  });
});
