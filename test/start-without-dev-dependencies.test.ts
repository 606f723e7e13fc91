import { execFile, spawn } from "node:child_process";
import { cp, mkdir, readdir, rm, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { openIndex } from "../src/search-index/open-index.js";
import { projectRoot, scratchProject } from "./support/corpus.js";

// `npm start` where the dev dependencies were left out (`npm ci --omit=dev`) and the build was
// shipped: a copy of the project's build/, dist/ and scripts/, beside a node_modules holding every
// installed package but typescript and esbuild, and no src/.
let project: Awaited<ReturnType<typeof scratchProject>>;
let shipped: string;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: projectRoot });
  project = await scratchProject();
  await openIndex({ ...project, embedder: new LocalEmbeddings() });
  shipped = path.join(project.root, "shipped");
  await mkdir(path.join(shipped, "node_modules"), { recursive: true });
  for (const folder of ["build", "dist", "scripts"])
    await cp(path.join(projectRoot, folder), path.join(shipped, folder), { recursive: true, preserveTimestamps: true });
  await cp(path.join(projectRoot, "package.json"), path.join(shipped, "package.json"));
  for (const name of await readdir(path.join(projectRoot, "node_modules"))) {
    if (name === "typescript" || name === "esbuild" || name === ".bin") continue;
    await symlink(path.join(projectRoot, "node_modules", name), path.join(shipped, "node_modules", name));
  }
}, 240_000);

/** `node scripts/start.mjs` in the shipped copy, until it listens (then SIGTERM) or exits. */
function start(): Promise<{ code: number | null; listened: boolean; stderr: string }> {
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: shipped,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: "0",
      WEB_CONCURRENCY: "1",
      DATA_DIR: project.dataDir,
      INDEX_DIR: project.indexDir,
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let listened = false;
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    if (!listened && chunk.toString().includes("Listening on")) {
      listened = true;
      child.kill("SIGTERM");
    }
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, listened, stderr })));
}

describe("npm start without the dev dependencies", () => {
  it("runs a current shipped build without building", async () => {
    const run = await start();
    expect(run.stderr).toBe("");
    expect(run).toMatchObject({ listened: true, code: 0 });
  });

  it("runs a shipped build that looks older than the sources, saying it cannot rebuild it", async () => {
    await mkdir(path.join(shipped, "src"), { recursive: true });
    const newer = path.join(shipped, "src", "main.ts");
    await writeFile(newer, "// edited after the build\n");
    const later = new Date(Date.now() + 60_000);
    await utimes(newer, later, later);
    const run = await start();
    expect(run.stderr).toContain(
      "Starting the existing build (sources changed since the last build, and typescript and esbuild are not installed",
    );
    expect(run).toMatchObject({ listened: true, code: 0 });
  });

  it("stops with one line when there is no build and nothing to build it with", async () => {
    await rm(path.join(shipped, "build"), { recursive: true });
    const run = await start();
    expect(run.stderr.trim()).toBe(
      "Cannot start: there is no build/ and no typescript to make one: run `npm install` (with dev dependencies), then `npm start`.",
    );
    expect(run).toMatchObject({ listened: false, code: 1 });
  });
});
