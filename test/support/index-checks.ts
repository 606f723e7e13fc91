import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import type { Chunk } from "../../src/ingest/chunk-interview.js";
import { readIndex } from "../../src/search-index/index-store.js";
import type { Manifest } from "../../src/search-index/search-index.js";

const dataFiles = ["chunks.hnsw", "chunks.json", "sentences.hnsw"];

export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * Checks that one build folder is whole: its manifest lists every data file, each file hashes to
 * the manifest's checksum, and the chunk and sentence counts match chunks.json.
 */
export async function expectCompleteBuild(folder: string): Promise<Manifest> {
  const manifest = JSON.parse(await readFile(path.join(folder, "manifest.json"), "utf8")) as Manifest;
  expect(Object.keys(manifest.files).sort(), folder).toEqual(dataFiles);
  for (const name of dataFiles)
    expect(sha256(await readFile(path.join(folder, name))), `${folder}/${name}`).toBe(manifest.files[name]);
  const chunks = JSON.parse(await readFile(path.join(folder, "chunks.json"), "utf8")) as Chunk[];
  expect(chunks.length).toBe(manifest.chunkCount);
  expect(chunks.reduce((sum, chunk) => sum + chunk.sentences.length, 0)).toBe(manifest.sentenceCount);
  return manifest;
}

/**
 * Checks that `indexDir` publishes one complete index: `current` is a link to a finished build
 * under builds/, no temporary folder is left, every build is whole (checksums match its files) and
 * the published one loads, vectors included. `everyBuild: false` checks only the published build,
 * for a test that damaged an older one on purpose.
 */
export async function expectOneCompleteIndex(
  indexDir: string,
  { everyBuild = true } = {},
): Promise<{ folder: string; manifest: Manifest }> {
  const current = path.join(indexDir, "current");
  expect((await lstat(current)).isSymbolicLink()).toBe(true);
  const target = await readlink(current);
  expect(path.dirname(target)).toBe("builds");
  expect(path.basename(target)).not.toMatch(/^\./);
  const builds = await readdir(path.join(indexDir, "builds"));
  expect(builds.filter((name) => name.startsWith("."))).toEqual([]);
  expect(builds).toContain(path.basename(target));
  if (everyBuild) for (const name of builds) await expectCompleteBuild(path.join(indexDir, "builds", name));
  const folder = path.join(indexDir, target);
  const manifest = await expectCompleteBuild(folder);
  const loaded = await readIndex(indexDir, { embedderId: manifest.embedder.id, sources: manifest.sources });
  expect(loaded.chunks.length).toBe(manifest.chunkCount);
  expect(loaded.sentenceRefs.length).toBe(manifest.sentenceCount);
  expect(loaded.chunkVectors.size).toBe(manifest.chunkCount);
  expect(loaded.sentenceVectors.size).toBe(manifest.sentenceCount);
  return { folder, manifest };
}
