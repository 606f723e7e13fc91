import { writeFile } from "node:fs/promises";
import path from "node:path";
import { ExtractiveAnswerer } from "../../src/answer/extractive-answerer.js";
import { describeSource } from "../../src/ingest/describe-source.js";
import { HybridRetriever } from "../../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../../src/search-index/open-index.js";
import { scratchProject } from "./corpus.js";
import { FakeEmbedder } from "./fake-embedder.js";
import { silentLogger, startApp } from "./http.js";

/**
 * A copy of data/ with `files` added (name → bytes), indexed with the fake embedder and served by
 * the extractive answerer with its catalogue, as a site owner's server would serve it.
 */
export async function serveDataFolder(files: Record<string, Buffer | string>) {
  const project = await scratchProject();
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(project.dataDir, name), content);
  const embedder = new FakeEmbedder();
  const opened = await openIndex({ ...project, embedder, logger: silentLogger });
  const answerer = new ExtractiveAnswerer({
    retriever: new HybridRetriever(opened.index, embedder),
    interviews: opened.interviews,
    chunks: opened.index.chunks,
  });
  const app = await startApp({
    answerer,
    sources: opened.interviews.map((interview) => interview.source.name),
    catalogue: opened.interviews.map(describeSource),
    protection: { rateLimitPerMinute: 0 },
  });
  return { project, app };
}
