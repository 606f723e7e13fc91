import { lstat, readFile, readlink, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openIndex } from "../src/search-index/open-index.js";
import { readIndex } from "../src/search-index/index-store.js";
import { hnswIndexKind } from "../src/search-index/hnsw-index.js";
import type { VectorIndex, VectorIndexKind } from "../src/search-index/vector-index.js";
import { scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { expectCompleteBuild, expectOneCompleteIndex, sha256 } from "./support/index-checks.js";

// Every call that changes the file system, with its path arguments, in order.
const changes = vi.hoisted(() => [] as Array<{ op: string; paths: string[] }>);

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const recorded = { ...actual } as Record<string, unknown>;
  // How many leading arguments are paths: rename(from, to), symlink(target, link), copyFile(from, to).
  const pathArguments = {
    writeFile: 1,
    appendFile: 1,
    truncate: 1,
    mkdir: 1,
    unlink: 1,
    rm: 1,
    rmdir: 1,
    open: 1,
    rename: 2,
    symlink: 2,
    copyFile: 2,
    cp: 2,
  };
  for (const [op, count] of Object.entries(pathArguments)) {
    const original = actual[op as keyof typeof pathArguments] as (...args: unknown[]) => unknown;
    recorded[op] = (...args: unknown[]) => {
      changes.push({ op, paths: args.slice(0, count).map(String) });
      return original(...args);
    };
  }
  return { ...recorded, default: recorded };
});

const quiet = { info: () => {}, warn: () => {} };

afterEach(() => {
  vi.restoreAllMocks();
});

/** Files of a build folder: content hash, inode and modification time, to see that nothing touched them. */
async function snapshot(folder: string) {
  const files: Record<string, { sha: string; ino: number; mtimeMs: number }> = {};
  for (const name of ["manifest.json", "chunks.json", "chunks.hnsw", "sentences.hnsw"]) {
    const file = path.join(folder, name);
    const info = await stat(file);
    files[name] = { sha: sha256(await readFile(file)), ino: info.ino, mtimeMs: info.mtimeMs };
  }
  return files;
}

/**
 * Builds once, then rebuilds with the build held just before its last vector file is written, runs
 * `whileBuilding`, and lets it finish. Returns the published folder before and after, and the
 * file-system changes and vector-file writes the rebuild made.
 */
async function rebuildHeldMidway(whileBuilding: (context: { indexDir: string; published: string }) => Promise<void>) {
  const project = await scratchProject({ index: "none" });
  const embedder = new FakeEmbedder();
  await openIndex({ ...project, embedder, logger: quiet });
  const published = await realpath(path.join(project.indexDir, "current"));

  const vectorWrites: string[] = [];
  let reached!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  // The vector index is an adapter the caller chooses: this one is hnswlib with its writes held.
  const heldWrites: VectorIndexKind = {
    ...hnswIndexKind,
    build(items, dimensions) {
      const index = hnswIndexKind.build(items, dimensions);
      return Object.assign(Object.create(index) as VectorIndex, {
        async write(file: string) {
          vectorWrites.push(file);
          if (path.basename(file) === "sentences.hnsw") {
            reached();
            await released;
          }
          return index.write(file);
        },
      });
    },
  };
  changes.length = 0;
  const rebuilding = openIndex({ ...project, embedder, logger: quiet, force: true, vectorIndex: heldWrites });
  try {
    await Promise.race([
      held,
      rebuilding.then(() => Promise.reject(new Error("the rebuild finished without writing sentences.hnsw"))),
    ]);
    await whileBuilding({ indexDir: project.indexDir, published });
  } finally {
    release();
  }
  await rebuilding;
  return {
    indexDir: project.indexDir,
    published,
    now: await realpath(path.join(project.indexDir, "current")),
    changes: [...changes],
    vectorWrites,
  };
}

const inside = (folder: string, file: string) => {
  const relative = path.relative(folder, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
};

describe("publishing a build", () => {
  it("never writes into the published index: while a build is written the old one stays whole, in service and untouched", async () => {
    let before: Awaited<ReturnType<typeof snapshot>> | undefined;
    const result = await rebuildHeldMidway(async ({ indexDir, published }) => {
      // Midway: chunks.json and chunks.hnsw of the new build are written, sentences.hnsw is not.
      expect(await realpath(path.join(indexDir, "current"))).toBe(published);
      const manifest = await expectCompleteBuild(published);
      const loaded = await readIndex(indexDir, { embedderId: manifest.embedder.id, sources: manifest.sources });
      expect(loaded.chunks.length).toBe(manifest.chunkCount);
      before = await snapshot(published);
    });
    expect(result.now).not.toBe(result.published);
    expect(await snapshot(result.published)).toEqual(before);
    await expectOneCompleteIndex(result.indexDir);

    const current = path.join(result.indexDir, "current");
    const written = [
      ...result.vectorWrites,
      ...result.changes
        .filter((change) => change.op !== "rename" && change.op !== "symlink")
        .flatMap((change) => change.paths),
    ];
    expect(written.length).toBeGreaterThan(3);
    for (const file of written) {
      expect(inside(result.published, file), file).toBe(false);
      expect(inside(current, file), file).toBe(false);
      expect(inside(result.now, file) || inside(path.join(result.indexDir, "builds"), file), file).toBe(true);
    }
  });

  it("swaps `current` by renaming a new link over it, after the build is complete under builds/", async () => {
    const result = await rebuildHeldMidway(async () => {});
    const current = path.join(result.indexDir, "current");
    const touchingCurrent = result.changes.filter((change) => change.paths.includes(current));
    // The one change to `current` is a rename onto it: it is never removed, so a reader always finds a whole index.
    expect(touchingCurrent.map((change) => change.op)).toEqual(["rename"]);
    const [link, target] = touchingCurrent[0]!.paths;
    expect(target).toBe(current);
    expect(path.dirname(link!)).toBe(result.indexDir);
    const madeLink = result.changes.find((change) => change.op === "symlink" && change.paths[1] === link);
    expect(madeLink?.paths[0]).toBe(path.join("builds", path.basename(result.now)));
    expect((await lstat(current)).isSymbolicLink()).toBe(true);
    expect(await readlink(current)).toBe(path.join("builds", path.basename(result.now)));
    // The build folder was in place, complete, before the link went up: renamed from its temporary name.
    const finished = result.changes.findIndex((change) => change.op === "rename" && change.paths[1] === result.now);
    expect(finished).toBeGreaterThanOrEqual(0);
    expect(path.basename(result.changes[finished]!.paths[0]!)).toMatch(/^\.tmp-/);
    expect(finished).toBeLessThan(result.changes.indexOf(touchingCurrent[0]!));
    await expectOneCompleteIndex(result.indexDir);
  });
});
