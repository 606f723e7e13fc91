import { createHash, randomBytes } from "node:crypto";
import { lstat, mkdir, readFile, readdir, readlink, realpath, rename, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { IndexUnusableError } from "../errors.js";
import { chunkKey, type Chunk } from "../ingest/chunk-interview.js";
import { manifestProblem } from "./manifest-schema.js";
import { hnswIndexKind } from "./hnsw-index.js";
import { indexFormatVersion, listSentences, sentenceIds, type Manifest, type SearchIndex } from "./search-index.js";
import type { VectorIndexKind } from "./vector-index.js";

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
const files = {
  manifest: "manifest.json",
  chunks: "chunks.json",
  chunkVectors: "chunks.hnsw",
  sentenceVectors: "sentences.hnsw",
};
/** How old a leftover (a temporary build, an unpublished link) must be before it is removed: another process may be writing it. */
const graceMs = 60_000;

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
  const finished = path.join(builds, id);
  const link = path.join(indexDir, `.${currentLink}-${id}`);
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
    await rename(temporary, finished);
    await symlink(path.join(buildsFolder, id), link);
    // `current` as a real folder (copied, or unpacked from an archive) cannot be renamed over; it goes.
    const current = path.join(indexDir, currentLink);
    if ((await lstat(current).catch(() => null))?.isDirectory()) await rm(current, { recursive: true, force: true });
    await rename(link, current);
    index.manifest = manifest;
  } catch (error) {
    // Nothing of a failed save stays behind: not its folder, not its link.
    await Promise.all([temporary, finished, link].map((leftover) => rm(leftover, { recursive: true, force: true })));
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
export async function readIndex(
  indexDir: string,
  expected: IndexExpectation,
  kind: VectorIndexKind = hnswIndexKind,
): Promise<SearchIndex> {
  const current = path.join(indexDir, currentLink);
  // Only a `current` that is not there at all means "never built"; anything else wrong with it is corrupt.
  const link = await lstat(current).catch(() => null);
  if (!link) throw new IndexUnusableError("missing", `No index at ${indexDir}`);
  if (!link.isSymbolicLink())
    throw new IndexUnusableError("corrupt", `corrupt: ${current} is not a link to a build under ${buildsFolder}/`);
  let folder: string;
  try {
    // Resolved once, so a build published while we read cannot mix two builds' files.
    folder = await realpath(current);
  } catch (error) {
    throw new IndexUnusableError("corrupt", `corrupt: ${current} points to a build that is gone`, { cause: error });
  }
  const manifestFile = path.join(folder, files.manifest);
  let manifestText: string;
  try {
    manifestText = await readFile(manifestFile, "utf8");
  } catch (error) {
    throw new IndexUnusableError(
      "corrupt",
      `corrupt: ${manifestFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? "unknown error"})`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestText);
  } catch (error) {
    throw new IndexUnusableError("corrupt", `corrupt: ${manifestFile} is not JSON`, { cause: error });
  }
  const problem = manifestProblem(parsed);
  if (problem) throw new IndexUnusableError("corrupt", `corrupt: ${manifestFile}: ${problem}`);
  const manifest = parsed as Manifest;
  const staleness = describeStaleness(manifest, expected);
  if (staleness) throw new IndexUnusableError("stale", staleness);

  const contents = new Map<string, Buffer>();
  for (const name of [files.chunks, files.chunkVectors, files.sentenceVectors]) {
    const file = path.join(folder, name);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new IndexUnusableError("corrupt", `corrupt: ${file} cannot be read`, { cause: error });
    }
    if (sha256(bytes) !== manifest.files[name]) {
      throw new IndexUnusableError(
        "corrupt",
        `corrupt: ${file} does not match its checksum in the manifest (truncated or edited)`,
      );
    }
    contents.set(name, bytes);
  }
  try {
    const chunks = JSON.parse(contents.get(files.chunks)!.toString("utf8")) as Chunk[];
    if (!Array.isArray(chunks) || chunks.length !== manifest.chunkCount)
      throw new IndexUnusableError("corrupt", `chunks.json does not hold the manifest's ${manifest.chunkCount} chunks`);
    for (const name of [files.chunkVectors, files.sentenceVectors]) {
      const stored = kind.storedDimensions(contents.get(name)!);
      if (stored !== manifest.embedder.dimensions)
        throw new IndexUnusableError(
          "corrupt",
          `${name} holds vectors of ${stored} dimensions, the manifest says ${manifest.embedder.dimensions}`,
        );
    }
    const sentenceRefs = listSentences(chunks);
    if (sentenceRefs.length !== manifest.sentenceCount)
      throw new IndexUnusableError(
        "corrupt",
        `chunks.json holds ${sentenceRefs.length} sentences, the manifest says ${manifest.sentenceCount}`,
      );
    const { dimensions } = manifest.embedder;
    return {
      manifest,
      chunks,
      chunkVectors: await kind.read(path.join(folder, files.chunkVectors), chunks.map(chunkKey), dimensions),
      sentenceVectors: await kind.read(
        path.join(folder, files.sentenceVectors),
        sentenceIds(chunks, sentenceRefs),
        dimensions,
      ),
      sentenceRefs,
    };
  } catch (error) {
    throw new IndexUnusableError(
      "corrupt",
      `corrupt: the index at ${folder} cannot be loaded: ${(error as Error).message}`,
      { cause: error },
    );
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
 * Removes builds other than the published one and the one just written, temporary folders of
 * builds that never finished and `.current-*` links never published (a crash between writing and
 * publishing), leaving a grace period so a process still reading a build it resolved a moment
 * ago, or still writing its own, is not pulled from under.
 */
export async function pruneBuilds(indexDir: string, keep?: string): Promise<void> {
  const builds = path.join(indexDir, buildsFolder);
  const published = path.basename(await readlink(path.join(indexDir, currentLink)).catch(() => ""));
  const old = async (entry: string) => {
    const modified = (await lstat(entry).catch(() => null))?.mtimeMs;
    return modified !== undefined && Date.now() - modified > graceMs;
  };
  for (const name of await readdir(builds).catch(() => [] as string[])) {
    if (name === keep || name === published) continue;
    const folder = path.join(builds, name);
    if (await old(folder)) await rm(folder, { recursive: true, force: true });
  }
  for (const name of await readdir(indexDir).catch(() => [] as string[])) {
    if (!name.startsWith(`.${currentLink}-`)) continue;
    const leftover = path.join(indexDir, name);
    if (await old(leftover)) await rm(leftover, { recursive: true, force: true });
  }
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
