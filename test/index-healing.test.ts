import { execFile } from "node:child_process";
import {
  chmod,
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  unlink,
  utimes,
  lutimes,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { expectOneCompleteIndex } from "./support/index-checks.js";

/** A logger that remembers each line's level and message. */
function recorder() {
  const lines: Array<{ level: "info" | "warn"; message: string }> = [];
  const logger = {
    info: (_fields: object, message?: string) => void lines.push({ level: "info", message: message ?? "" }),
    warn: (_fields: object, message?: string) => void lines.push({ level: "warn", message: message ?? "" }),
  } as unknown as Parameters<typeof openIndex>[0]["logger"];
  return { lines, logger };
}

async function builtProject() {
  const project = await scratchProject({ index: "none" });
  const embedder = new FakeEmbedder();
  await openIndex({ ...project, embedder, logger: recorder().logger });
  const manifestFile = path.join(project.indexDir, "current", "manifest.json");
  const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as Record<string, unknown>;
  return { project, embedder, manifestFile, manifest };
}

/** Opens the index again: it must be rebuilt as corrupt, answer questions, and open cleanly next time. */
async function expectHealed(
  project: Awaited<ReturnType<typeof scratchProject>>,
  embedder: FakeEmbedder,
  reason: RegExp,
) {
  const { lines, logger } = recorder();
  const reopened = await openIndex({ ...project, embedder, logger });
  expect(reopened.rebuilt).toMatchObject({ reason: "corrupt", message: expect.stringMatching(reason) });
  expect(reopened.rebuilt!.message).toMatch(/^corrupt: /);
  expect(lines.find((line) => line.message.startsWith("Rebuilding the index"))).toMatchObject({ level: "warn" });
  const retrieval = await new HybridRetriever(reopened.index, embedder).retrieve("Which Latvian ports receive cargo?", {
    k: 3,
  });
  expect(retrieval.passages.length).toBe(3);
  // The damaged build stays for a grace period (another process may still read it); the published one is whole.
  await expectOneCompleteIndex(project.indexDir, { everyBuild: false });
  expect((await openIndex({ ...project, embedder, logger: recorder().logger })).rebuilt).toBeNull();
}

describe("an index that heals or says why", () => {
  it.each([
    [
      "a wrong embedder.dimensions",
      (m: Record<string, unknown>) => ({ ...m, embedder: { ...(m.embedder as object), dimensions: 32 } }),
      /32/,
    ],
    ['"files": null', (m: Record<string, unknown>) => ({ ...m, files: null }), /files/],
    ['"sources": {}', (m: Record<string, unknown>) => ({ ...m, sources: {} }), /sources/],
    [
      "a file missing from files",
      (m: Record<string, unknown>) => ({
        ...m,
        files: { "chunks.json": (m.files as Record<string, string>)["chunks.json"] },
      }),
      /files\.chunks\.hnsw/,
    ],
    [
      "a formatVersion that is not a number",
      (m: Record<string, unknown>) => ({ ...m, formatVersion: "1" }),
      /formatVersion/,
    ],
    [
      "a wrong chunkCount",
      (m: Record<string, unknown>) => ({ ...m, chunkCount: (m.chunkCount as number) + 1 }),
      /chunks/,
    ],
    ["an array", () => [], /manifest/],
  ])("rebuilds a manifest with %s as corrupt, saying what is wrong", async (_name, tamper, reason) => {
    const { project, embedder, manifestFile, manifest } = await builtProject();
    await writeFile(manifestFile, JSON.stringify(tamper(manifest)));
    await expectHealed(project, embedder, reason);
  });

  it("rebuilds a deleted manifest as corrupt, logged as a warning, not as a missing index", async () => {
    const { project, embedder, manifestFile } = await builtProject();
    await unlink(manifestFile);
    await expectHealed(project, embedder, /manifest\.json cannot be read/);
  });

  it("replaces `current` when it is a real folder, leaving no stray build or link", async () => {
    const { project, embedder } = await builtProject();
    const current = path.join(project.indexDir, "current");
    const target = path.join(project.indexDir, await readlink(current));
    await unlink(current);
    await cp(target, current, { recursive: true });
    expect((await lstat(current)).isDirectory()).toBe(true);
    await expectHealed(project, embedder, /is not a link/);
    expect((await readdir(project.indexDir)).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("removes stray build folders and unpublished .current-* links at start", async () => {
    const { project, embedder } = await builtProject();
    const builds = path.join(project.indexDir, "builds");
    const published = path.basename(await readlink(path.join(project.indexDir, "current")));
    await mkdir(path.join(builds, ".tmp-crashed"));
    await mkdir(path.join(builds, "unpublished"));
    await symlink("builds/unpublished", path.join(project.indexDir, ".current-unpublished"));
    // Older than the grace period another process's build in progress gets.
    const past = new Date(Date.now() - 5 * 60_000);
    for (const name of [".tmp-crashed", "unpublished"]) await utimes(path.join(builds, name), past, past);
    await lutimes(path.join(project.indexDir, ".current-unpublished"), past, past);
    const reopened = await openIndex({ ...project, embedder, logger: recorder().logger });
    expect(reopened.rebuilt).toBeNull();
    expect(await readdir(builds)).toEqual([published]);
    expect((await readdir(project.indexDir)).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("fails at once, in one line naming the folder, when a stale index's folder is read-only", async () => {
    const { project } = await builtProject();
    await writeFile(path.join(project.dataDir, "interview.txt"), "\nQ: A changed transcript?\nYes, it changed.\n", {
      flag: "a",
    });
    // Read-only for the process that starts: as root, which writes anywhere, it runs as nobody.
    const asRoot = process.getuid?.() === 0;
    await chmod(project.root, 0o755);
    await chmod(project.dataDir, 0o755);
    await chmod(path.join(project.dataDir, "interview.txt"), 0o644);
    if (!asRoot) await chmod(project.indexDir, 0o555);
    const env = {
      PATH: process.env.PATH,
      HOME: "/tmp",
      DATA_DIR: project.dataDir,
      INDEX_DIR: project.indexDir,
      EMBEDDING_PROVIDER: "local",
      LOG_LEVEL: "warn",
      WEB_CONCURRENCY: "1",
      PORT: "0",
    };
    const started = Date.now();
    const failure = await promisify(execFile)(path.join(projectRoot, "node_modules/.bin/tsx"), ["src/main.ts"], {
      cwd: projectRoot,
      env,
      timeout: 60_000,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    }).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    if (!asRoot) await chmod(project.indexDir, 0o755);
    expect(failure?.code).toBe(1);
    const lines = failure!.stderr!.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Cannot start: The index must be rebuilt \(.*\) but \S*index(\/builds)? is not writable \(EACCES\)/,
    );
    // Before embedding a single sentence: well within the time a build of the interview takes.
    expect(Date.now() - started).toBeLessThan(30_000);
    await rm(project.root, { recursive: true, force: true });
  }, 90_000);
});
