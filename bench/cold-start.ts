import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "./questions.js";
import type { ColdStart, ColdStartVariant, StartupPhases } from "./results-schema.js";
import { startServer, tsxBin } from "./server-process.js";
import { median, round } from "./stats.js";

const run = promisify(execFile);

/**
 * Process start to the first 200 from /healthz, `runs` times each: `tsx src/main.ts` (as
 * `npm start`) with a built index, with an empty index folder and with tsx's compile cache off,
 * `node --import tsx`, and a precompiled bundle; then where the time goes, from a probe process.
 */
export async function measureColdStart(options: { dataDir: string; builtIndexDir: string; runs: number; slowVariantRuns: number }): Promise<ColdStart> {
  const { dataDir, builtIndexDir, runs } = options;
  const scratch = await mkdtemp(path.join(tmpdir(), "interview-chat-cold-"));
  try {
    const firstRequests: number[] = [];
    const withIndex = await variant("tsx src/main.ts", runs, async () => {
      const server = await startServer({ dataDir, indexDir: builtIndexDir, workers: 1 });
      const started = performance.now();
      const response = await fetch(`${server.url}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "How many deputies will the Mazhilis have?" }),
      });
      await response.arrayBuffer();
      firstRequests.push(performance.now() - started);
      await server.stop();
      return server.readyMs;
    });
    let emptyCount = 0;
    const withoutIndex = await variant("tsx src/main.ts, empty INDEX_DIR (builds the index first)", options.slowVariantRuns, async () => {
      const server = await startServer({ dataDir, indexDir: path.join(scratch, `empty-${emptyCount++}`), workers: 1 });
      await server.stop();
      return server.readyMs;
    });
    const uncachedTsx = await variant("tsx src/main.ts, TSX_DISABLE_CACHE=1 (as the first start after an install or a source change)", options.slowVariantRuns, async () => {
      const server = await startServer({ dataDir, indexDir: builtIndexDir, workers: 1, env: { TSX_DISABLE_CACHE: "1" } });
      await server.stop();
      return server.readyMs;
    });
    const tsxLoader = await variant("node --import tsx src/main.ts", runs, async () => {
      const server = await startServer({ command: [process.execPath, "--import", "tsx", "src/main.ts"], dataDir, indexDir: builtIndexDir, workers: 1 });
      await server.stop();
      return server.readyMs;
    });
    const bundle = await bundleServer(scratch);
    const precompiled = await variant("node main.mjs (esbuild bundle of src/main.ts, dependencies external)", runs, async () => {
      const server = await startServer({ command: [process.execPath, bundle], dataDir, indexDir: builtIndexDir, workers: 1 });
      await server.stop();
      return server.readyMs;
    });
    const phases = await measurePhases({ dataDir, builtIndexDir, runs, scratch, firstRequestMs: median(firstRequests) });
    return { withIndex, withoutIndex, uncachedTsx, phases, precompiled, tsxLoader };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function variant(command: string, runs: number, once: () => Promise<number>): Promise<ColdStartVariant> {
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) runsMs.push(Math.round(await once()));
  return { command, runsMs, medianMs: median(runsMs) };
}

/** Bundles src/main.ts to plain JS with esbuild (the compiler tsx uses), keeping packages external. */
async function bundleServer(scratch: string): Promise<string> {
  const folder = path.join(scratch, "precompiled");
  const outfile = path.join(folder, "main.mjs");
  await run(
    path.join(projectRoot, "node_modules/.bin/esbuild"),
    ["src/main.ts", "--bundle", "--platform=node", "--format=esm", "--target=node20", "--packages=external", `--outfile=${outfile}`, "--log-level=warning"],
    { cwd: projectRoot },
  );
  // Bare imports resolve from the bundle's folder upwards: point it at the project's packages.
  await symlink(path.join(projectRoot, "node_modules"), path.join(folder, "node_modules"));
  return outfile;
}

async function measurePhases(options: { dataDir: string; builtIndexDir: string; runs: number; scratch: string; firstRequestMs: number }): Promise<StartupPhases> {
  const empty = path.join(options.scratch, "empty.ts");
  await writeFile(empty, "export {};\n");
  const bareNode: number[] = [];
  const bareTsx: number[] = [];
  const probes: Array<Record<string, number>> = [];
  for (let i = 0; i < options.runs; i++) {
    bareNode.push(await timeExit(process.execPath, ["-e", "0"]));
    bareTsx.push(await timeExit(tsxBin, [empty]));
    const spawnedAt = performance.timeOrigin + performance.now();
    const { stdout } = await run(tsxBin, ["bench/startup-probe.ts"], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: options.dataDir, INDEX_DIR: options.builtIndexDir, BENCH_SPAWNED_AT: String(spawnedAt) },
    });
    probes.push(JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number>);
  }
  const phase = (name: string) => round(median(probes.map((probe) => probe[name] ?? 0)), 1);
  return {
    bareNodeMs: round(median(bareNode), 1),
    bareTsxMs: round(median(bareTsx), 1),
    launcherMs: phase("launcherMs"),
    bootstrapMs: phase("bootstrapMs"),
    importMs: phase("importMs"),
    indexLoadMs: phase("indexLoadMs"),
    retrieverBuildMs: phase("retrieverBuildMs"),
    listenMs: phase("listenMs"),
    modelLoadMs: phase("modelLoadMs"),
    firstRequestMs: round(options.firstRequestMs, 1),
  };
}

function timeExit(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: projectRoot, stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve(performance.now() - started));
  });
}
