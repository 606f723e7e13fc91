import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, readlink, realpath, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { IndexUnusableError } from "../errors.js";
import type { Chunk } from "../ingest/chunk-interview.js";
import { indexFormatVersion, listSentences, type Manifest, type SearchIndex } from "./search-index.js";
import { VectorIndex } from "./vector-index.js";

/*
 * Layout of the index folder:
 *   index/current -> builds/<id>      symlink, swapped atomically by rename(2)
 *   index/builds/<id>/manifest.json, chunks.json, chunks.hnsw, sentences.hnsw
 * A build is written into builds/.tmp-<id>, renamed to builds/<id>, and only then published by
 * replacing the `current` link. A crash at any point leaves the previous index in service, and
 * two processes building at once each publish a complete build; the last rename wins.
 */
const currentLink = "current";
const buildsFolder = "builds";
const files = { manifest: "manifest.json", chunks: "chunks.json", chunkVectors: "chunks.hnsw", sentenceVectors: "sentences.hnsw" };

/** What the loaded index must match to be used: the configured embedder and the corpus on disk. */
export interface IndexExpectation {
  embedderId: string;
  sources: Array<{ name: string; sha256: string }>;
}

/** Writes the index atomically and returns the folder it went to. Older builds are pruned. */
export async function saveIndex(index: SearchIndex, indexDir: string): Promise<string> {
  const id = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  const builds = path.join(indexDir, buildsFolder);
  const temporary = path.join(builds, `.tmp-${id}`);
  await mkdir(temporary, { recursive: true });
  try {
    const chunksJson = JSON.stringify(index.chunks);
    await writeFile(path.join(temporary, files.chunks), chunksJson);
    await index.chunkVectors.write(path.join(temporary, files.chunkVectors));
    await index.sentenceVectors.write(path.join(temporary, files.sentenceVectors));
    const hashes: Record<string, string> = {};
    for (const name of [files.chunks, files.chunkVectors, files.sentenceVectors]) {
      hashes[name] = sha256(await readFile(path.join(temporary, name)));
    }
    const manifest: Manifest = { ...index.manifest, files: hashes };
    await writeFile(path.join(temporary, files.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(temporary, path.join(builds, id));
    const link = path.join(indexDir, `.${currentLink}-${id}`);
    await symlink(path.join(buildsFolder, id), link);
    await rename(link, path.join(indexDir, currentLink));
    index.manifest = manifest;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  await pruneBuilds(indexDir, id);
  return path.join(builds, id);
}

/**
 * Loads the published index and checks it against the expectation.
 * @throws IndexUnusableError "missing" (never built), "stale" (built from other sources or by
 *   another embedder, or an older format) or "corrupt" (a file unreadable, truncated or edited).
 */
export async function readIndex(indexDir: string, expected: IndexExpectation): Promise<SearchIndex> {
  let folder: string;
  let manifestText: string;
  try {
    // Resolved once, so a build published while we read cannot mix two builds' files.
    folder = await realpath(path.join(indexDir, currentLink));
    manifestText = await readFile(path.join(folder, files.manifest), "utf8");
  } catch (error) {
    throw new IndexUnusableError("missing", `No index at ${indexDir}`, { cause: error });
  }
  const manifestFile = path.join(folder, files.manifest);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestText) as Manifest;
    if (typeof manifest !== "object" || manifest === null || typeof manifest.files !== "object") throw new Error("not a manifest");
  } catch (error) {
    throw new IndexUnusableError("corrupt", `${manifestFile} is not a valid manifest`, { cause: error });
  }
  const staleness = describeStaleness(manifest, expected);
  if (staleness) throw new IndexUnusableError("stale", staleness);

  const contents = new Map<string, Buffer>();
  for (const name of [files.chunks, files.chunkVectors, files.sentenceVectors]) {
    const file = path.join(folder, name);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new IndexUnusableError("corrupt", `${file} cannot be read`, { cause: error });
    }
    if (sha256(bytes) !== manifest.files[name]) {
      throw new IndexUnusableError("corrupt", `${file} does not match its checksum in the manifest (truncated or edited)`);
    }
    contents.set(name, bytes);
  }
  try {
    const chunks = JSON.parse(contents.get(files.chunks)!.toString("utf8")) as Chunk[];
    const sentenceRefs = listSentences(chunks);
    const { dimensions } = manifest.embedder;
    return {
      manifest,
      chunks,
      chunkVectors: await VectorIndex.read(path.join(folder, files.chunkVectors), dimensions, chunks.length),
      sentenceVectors: await VectorIndex.read(path.join(folder, files.sentenceVectors), dimensions, sentenceRefs.length),
      sentenceRefs,
    };
  } catch (error) {
    throw new IndexUnusableError("corrupt", `The index at ${folder} cannot be loaded: ${(error as Error).message}`, { cause: error });
  }
}

function describeStaleness(manifest: Manifest, expected: IndexExpectation): string | null {
  if (manifest.formatVersion !== indexFormatVersion) {
    return `the index format is ${manifest.formatVersion}, this version reads ${indexFormatVersion}`;
  }
  if (manifest.embedder?.id !== expected.embedderId) {
    return `it was built with embedder ${manifest.embedder?.id}, ${expected.embedderId} is configured`;
  }
  const built = new Map((manifest.sources ?? []).map((source) => [source.name, source.sha256]));
  const now = new Map(expected.sources.map((source) => [source.name, source.sha256]));
  for (const [name, hash] of now) {
    if (!built.has(name)) return `${name} was added to the data folder`;
    if (built.get(name) !== hash) return `${name} changed since the index was built`;
  }
  for (const name of built.keys()) if (!now.has(name)) return `${name} was removed from the data folder`;
  return null;
}

/**
 * Removes builds other than the published one and the one just written, leaving a grace period
 * so a process still reading a build it resolved a moment ago is not pulled from under.
 */
async function pruneBuilds(indexDir: string, keep: string): Promise<void> {
  const builds = path.join(indexDir, buildsFolder);
  const published = path.basename(await readlink(path.join(indexDir, currentLink)).catch(() => ""));
  for (const name of await readdir(builds).catch(() => [] as string[])) {
    if (name === keep || name === published) continue;
    const folder = path.join(builds, name);
    const modified = (await stat(folder).catch(() => null))?.mtimeMs;
    if (modified !== undefined && Date.now() - modified > 60_000) await rm(folder, { recursive: true, force: true });
  }
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
