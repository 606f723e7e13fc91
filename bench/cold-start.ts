import { execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { projectRoot } from "./questions.js";
import type { ColdStart, ColdStartVariant, StartupPhases } from "./results-schema.js";
import { compiledServer, startServer, tsxLoaderServer, unbundledServer, type RunningServer } from "./server-process.js";
import { median, round } from "./stats.js";

const run = promisify(execFile);

/** Makes build/ current (`npm run build` when it is missing or older than src/), as `npm start` would. */
export async function ensureBuild(): Promise<void> {
  await run(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: projectRoot });
}

/** Removes the saved V8 code caches of the bundled server, as a build leaves it. */
export async function dropCodeCache(): Promise<void> {
  const folder = path.join(projectRoot, "build", "bundle");
  for (const name of await readdir(folder))
    if (name.endsWith(".v8-cache")) await rm(path.join(folder, name), { force: true });
}

/**
 * Process start to the first 200 from /healthz, `runs` times each: `node scripts/run-server.cjs` (the
 * production start: the bundled server with V8's code cache) with a built index, once right after a
 * build (no cache yet) and with an empty index folder; `node scripts/start.mjs` (`npm start` itself:
 * the launcher's staleness check, then the same); `node build/main.js` (tsc's output, unbundled, no
 * cache); and `node --import tsx src/main.ts` (`npm start` before the build, compiling every module
 * at start); then where an unbundled start's time goes, from a probe process.
 */
export async function measureColdStart(options: {
  dataDir: string;
  builtIndexDir: string;
  runs: number;
  slowVariantRuns: number;
}): Promise<ColdStart> {
  const { dataDir, builtIndexDir, runs } = options;
  await ensureBuild();
  const scratch = await mkdtemp(path.join(tmpdir(), "interview-chat-cold-"));
  try {
    const firstRequests: number[] = [];
    /** Spawn to the first /healthz 200 of `command`, stopped at once (or after `then`). */
    const readyMs = async (
      command: [string, ...string[]],
      indexDir = builtIndexDir,
      then?: (server: RunningServer) => Promise<void>,
    ) => {
      const server = await startServer({ command, dataDir, indexDir, workers: 1 });
      await then?.(server);
      await server.stop();
      return server.readyMs;
    };
    // A start saves the cache as it exits (or 5 s after listening), so the runs after this one use it.
    await dropCodeCache();
    const firstAfterBuild = await variant(
      "node scripts/run-server.cjs, first start after a build (no code cache yet)",
      1,
      () => readyMs(compiledServer),
    );
    const withIndex = await variant("node scripts/run-server.cjs (the production start)", runs, () =>
      readyMs(compiledServer, builtIndexDir, async (server) => {
        const started = performance.now();
        const response = await fetch(`${server.url}/api/chat`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ message: "How many deputies will the Mazhilis have?" }),
        });
        await response.arrayBuffer();
        firstRequests.push(performance.now() - started);
      }),
    );
    const launcher = await variant(
      "node scripts/start.mjs (npm start: staleness check, then the production start)",
      runs,
      () => readyMs([process.execPath, "scripts/start.mjs"]),
    );
    const unbundled = await variant("node build/main.js (unbundled ES modules, no code cache)", runs, () =>
      readyMs(unbundledServer),
    );
    const tsxLoader = await variant("node --import tsx src/main.ts (npm start before the compiled build)", runs, () =>
      readyMs(tsxLoaderServer),
    );
    let emptyCount = 0;
    const withoutIndex = await variant(
      "node scripts/run-server.cjs, empty INDEX_DIR (builds the index first)",
      options.slowVariantRuns,
      () => readyMs(compiledServer, path.join(scratch, `empty-${emptyCount++}`)),
    );
    const phases = await measurePhases({
      dataDir,
      builtIndexDir,
      runs,
      scratch,
      firstRequestMs: median(firstRequests),
    });
    return { withIndex, firstAfterBuild, unbundled, withoutIndex, launcher, tsxLoader, phases };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function variant(command: string, runs: number, once: () => Promise<number>): Promise<ColdStartVariant> {
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) runsMs.push(Math.round(await once()));
  return { command, runsMs, medianMs: median(runsMs) };
}

/**
 * The probe (bench/startup-probe.ts, transpiled to plain JS by esbuild so no loader runs) importing
 * the compiled modules in build/, as `node build/main.js` does.
 */
async function measurePhases(options: {
  dataDir: string;
  builtIndexDir: string;
  runs: number;
  scratch: string;
  firstRequestMs: number;
}): Promise<StartupPhases> {
  const probe = path.join(options.scratch, "startup-probe.mjs");
  await run(
    path.join(projectRoot, "node_modules/.bin/esbuild"),
    ["bench/startup-probe.ts", "--format=esm", "--platform=node", `--outfile=${probe}`, "--log-level=warning"],
    {
      cwd: projectRoot,
    },
  );
  const bareNode: number[] = [];
  const probes: Array<Record<string, number>> = [];
  for (let i = 0; i < options.runs; i++) {
    bareNode.push(await timeExit(process.execPath, ["-e", "0"]));
    const spawnedAt = performance.timeOrigin + performance.now();
    const { stdout } = await run(process.execPath, [probe], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATA_DIR: options.dataDir,
        INDEX_DIR: options.builtIndexDir,
        BENCH_SPAWNED_AT: String(spawnedAt),
        BENCH_MODULES: path.join(projectRoot, "build"),
      },
    });
    probes.push(JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number>);
  }
  const phase = (name: string) => round(median(probes.map((probe) => probe[name] ?? 0)), 1);
  return {
    bareNodeMs: round(median(bareNode), 1),
    launcherMs: phase("launcherMs"),
    bootstrapMs: phase("bootstrapMs"),
    importMs: phase("importMs"),
    indexLoadMs: phase("indexLoadMs"),
    retrieverBuildMs: phase("retrieverBuildMs"),
    listenMs: phase("listenMs"),
    modelLoadMs: phase("modelLoadMs"),
    suggestionsMs: phase("suggestionsMs"),
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

// `npx tsx bench/cold-start.ts [runs]`: only this measurement (the production start, the unbundled
// start and the tsx start, median of `runs`, default 5), on an index built into a temporary folder;
// `index/` is not touched.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 5);
  const dataDir = path.join(projectRoot, "data");
  const indexDir = await mkdtemp(path.join(tmpdir(), "interview-chat-cold-index-"));
  try {
    await ensureBuild();
    await (await startServer({ command: compiledServer, dataDir, indexDir, workers: 1 })).stop(); // builds the index
    for (const command of [compiledServer, unbundledServer, tsxLoaderServer]) {
      const runsMs: number[] = [];
      const cpuMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const server = await startServer({ command, dataDir, indexDir, workers: 1 });
        runsMs.push(Math.round(server.readyMs));
        // CPU time (user + system, 10 ms ticks) to readiness: what the wall time would be on an idle
        // core, since the start is single-threaded, so a busy machine skews it less.
        cpuMs.push(Math.round(server.cpuSeconds() * 1000));
        await server.stop();
      }
      process.stdout.write(
        `node ${command.slice(1).join(" ")}: median ${median(runsMs)} ms (runs ${runsMs.join(", ")}); CPU median ${median(cpuMs)} ms (${cpuMs.join(", ")})\n`,
      );
    }
  } finally {
    await rm(indexDir, { recursive: true, force: true });
  }
}
