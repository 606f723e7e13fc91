import { appendFile, readFile, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openIndex } from "../src/search-index/open-index.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { scratchProject } from "./support/corpus.js";
import { expectOneCompleteIndex } from "./support/index-checks.js";

const quiet = { info: () => {}, warn: () => {} };

async function topIds(opened: Awaited<ReturnType<typeof openIndex>>, embedder: FakeEmbedder, question: string) {
  const retrieval = await new HybridRetriever(opened.index, embedder).retrieve(question, { k: 4 });
  return retrieval.passages.map((passage) => `${passage.chunk.id}:${passage.score.toFixed(6)}`);
}

describe("the saved index", () => {
  it("builds when missing, then loads from disk with the same search results", async () => {
    const project = await scratchProject({ index: "none" });
    const embedder = new FakeEmbedder();
    const built = await openIndex({ ...project, embedder, logger: quiet });
    expect(built.rebuilt?.reason).toBe("missing");
    const loaded = await openIndex({ ...project, embedder, logger: quiet });
    expect(loaded.rebuilt).toBeNull();
    expect(loaded.index.chunks).toEqual(built.index.chunks);
    for (const question of [
      "Which Latvian ports receive cargo?",
      "Who won a Grammy?",
      "What is the Middle Corridor?",
    ]) {
      expect(await topIds(loaded, embedder, question)).toEqual(await topIds(built, embedder, question));
    }
    const manifest = JSON.parse(await readFile(path.join(project.indexDir, "current", "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({
      formatVersion: 2,
      embedder: { id: "fake:hash-64", dimensions: 64 },
      chunkCount: built.index.chunks.length,
    });
    expect(manifest.sources).toEqual([{ name: "interview.txt", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });

  it("rebuilds, saying why, when a source file changed", async () => {
    const project = await scratchProject({ index: "none" });
    const embedder = new FakeEmbedder();
    await openIndex({ ...project, embedder, logger: quiet });
    await appendFile(path.join(project.dataDir, "interview.txt"), "\n");
    const messages: string[] = [];
    const logger = {
      info: (_fields: object, message?: string) => void messages.push(message ?? ""),
      warn: () => {},
    } as unknown as Parameters<typeof openIndex>[0]["logger"];
    const reopened = await openIndex({ ...project, embedder, logger });
    expect(reopened.rebuilt).toMatchObject({
      reason: "stale",
      message: expect.stringContaining("interview.txt changed"),
    });
    expect(messages.join("\n")).toContain("Rebuilding the index: interview.txt changed");
  });

  it("rebuilds when another embedder is configured or a file is added", async () => {
    const project = await scratchProject({ index: "none" });
    await openIndex({ ...project, embedder: new FakeEmbedder(), logger: quiet });
    const other = await openIndex({ ...project, embedder: new FakeEmbedder("fake:other", 32), logger: quiet });
    expect(other.rebuilt).toMatchObject({ reason: "stale", message: expect.stringContaining("fake:other") });
    await writeFile(path.join(project.dataDir, "second.txt"), "Second talk\n\nQ: Why?\nBecause we can.\n");
    const added = await openIndex({ ...project, embedder: new FakeEmbedder("fake:other", 32), logger: quiet });
    expect(added.rebuilt).toMatchObject({ reason: "stale", message: expect.stringContaining("second.txt was added") });
    expect(added.index.chunks.map((chunk) => [chunk.source, chunk.id])).toContainEqual(["second.txt", "q1"]);
  });

  it("detects a truncated vector file as corrupt and rebuilds a working index", async () => {
    const project = await scratchProject({ index: "none" });
    const embedder = new FakeEmbedder();
    await openIndex({ ...project, embedder, logger: quiet });
    await truncate(path.join(project.indexDir, "current", "chunks.hnsw"), 100);
    const reopened = await openIndex({ ...project, embedder, logger: quiet });
    expect(reopened.rebuilt).toMatchObject({ reason: "corrupt", message: expect.stringContaining("chunks.hnsw") });
    expect((await openIndex({ ...project, embedder, logger: quiet })).rebuilt).toBeNull();
  });

  it("reports chunks.json edited to the same length as corrupt and rebuilds", async () => {
    const project = await scratchProject({ index: "none" });
    const embedder = new FakeEmbedder();
    await openIndex({ ...project, embedder, logger: quiet });
    const file = path.join(project.indexDir, "current", "chunks.json");
    const original = await readFile(file, "utf8");
    expect(original).toContain("Ventspils");
    await writeFile(file, original.replaceAll("Ventspils", "Ventspilz"));
    expect((await stat(file)).size).toBe(Buffer.byteLength(original)); // still valid JSON of the same length
    const reopened = await openIndex({ ...project, embedder, logger: quiet });
    expect(reopened.rebuilt).toMatchObject({ reason: "corrupt", message: expect.stringContaining("chunks.json") });
    const served = reopened.index.chunks.map((chunk) => chunk.text).join("\n");
    expect(served).toContain("Ventspils");
    expect(served).not.toContain("Ventspilz");
    await expectOneCompleteIndex(project.indexDir, { everyBuild: false });
    expect((await openIndex({ ...project, embedder, logger: quiet })).rebuilt).toBeNull();
  });

  it("detects an unreadable manifest as corrupt", async () => {
    const project = await scratchProject({ index: "none" });
    const embedder = new FakeEmbedder();
    await openIndex({ ...project, embedder, logger: quiet });
    await writeFile(path.join(project.indexDir, "current", "manifest.json"), "{not json");
    expect((await openIndex({ ...project, embedder, logger: quiet })).rebuilt?.reason).toBe("corrupt");
  });

  it("leaves one complete index and no temporary folders when two builds race", async () => {
    const project = await scratchProject({ index: "none" });
    const embedder = new FakeEmbedder();
    const built = await Promise.all(
      [1, 2, 3].map(() => openIndex({ ...project, embedder, logger: quiet, force: true })),
    );
    const { manifest } = await expectOneCompleteIndex(project.indexDir);
    expect(manifest.chunkCount).toBe(built[0]!.index.chunks.length);
    const reopened = await openIndex({ ...project, embedder, logger: quiet });
    expect(reopened.rebuilt).toBeNull();
    expect(reopened.index.chunks).toEqual(built[0]!.index.chunks);
  });

  it("fails with a clear error when the data folder is missing", async () => {
    const project = await scratchProject({ index: "none" });
    await expect(
      openIndex({ ...project, dataDir: path.join(project.root, "nope"), embedder: new FakeEmbedder(), logger: quiet }),
    ).rejects.toThrow(/Cannot read the data folder/);
  });
});
