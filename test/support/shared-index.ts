import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { LocalEmbeddings } from "../../src/embed/local-embeddings.js";
import { openIndex } from "../../src/search-index/open-index.js";
import { projectRoot } from "./corpus.js";

/**
 * vitest globalSetup: builds the index of data/ once, with the shipped encoder, and hands its
 * folder to every test file. Building takes 13 s of CPU on this 2-core machine, and some 30 files
 * need the same index: each building its own was most of `npm test`'s time. Built fresh each run,
 * from the sources of this run, so no test ever reads an index older than the code.
 */
export default async function buildSharedIndex(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(path.join(tmpdir(), "interview-chat-shared-index-"));
  const indexDir = path.join(root, "index");
  await openIndex({ dataDir: path.join(projectRoot, "data"), indexDir, embedder: new LocalEmbeddings() });
  project.provide("sharedIndexDir", indexDir);
  return () => rm(root, { recursive: true, force: true });
}
