import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { projectRoot } from "./questions.js";

export const tsxBin = path.join(projectRoot, "node_modules/.bin/tsx");
/**
 * The production start `npm start` comes to once the build is current (scripts/run-server.cjs: the
 * bundled server with V8's code cache); needs a current build/.
 */
export const compiledServer: [string, ...string[]] = [process.execPath, "scripts/run-server.cjs"];
/** tsc's output as ES modules, unbundled and compiled at every start. */
export const unbundledServer: [string, ...string[]] = [process.execPath, "build/main.js"];
/** The server from its TypeScript sources, compiled by tsx's loader at start (`npm start` before the build). */
export const tsxLoaderServer: [string, ...string[]] = [process.execPath, "--import", "tsx", "src/main.ts"];

export interface ServerOptions {
  /** Executable and arguments; default `node scripts/run-server.cjs`, the production start. */
  command?: [string, ...string[]];
  dataDir: string;
  indexDir: string;
  workers: number;
  /** Extra environment (OPENAI_BASE_URL, ...). */
  env?: Record<string, string>;
  /** How long to wait for /healthz. Default 120 s. */
  timeoutMs?: number;
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  /** Spawn to the first 200 from GET /healthz. */
  readyMs: number;
  /** Peak RSS of every process of the server (VmHWM), read now. */
  peakRss(): Array<{ role: string; pid: number; peakRssMb: number }>;
  /** CPU seconds (user + system) used so far by the server's processes (the tsx CLI left out). */
  cpuSeconds(): number;
  /** Requests served so far by each server process, from the server's request log lines. */
  requestsByProcess(): Map<number, number>;
  /** Sizes of the query-embedding batches formed so far, from `query batch` lines (LOG_LEVEL=debug). */
  batchSizes(): number[];
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (released before the server takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns the server as a user starts it and waits until GET /healthz answers 200 and every
 * worker has logged "Listening". The benchmark turns the rate limit off; logs stay at info, as in
 * production, and are read and dropped.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const [executable, ...args] = options.command ?? compiledServer;
  const started = performance.now();
  const child = spawn(executable, args, {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: String(port),
      DATA_DIR: options.dataDir,
      INDEX_DIR: options.indexDir,
      WEB_CONCURRENCY: String(options.workers),
      LOG_LEVEL: "info",
      RATE_LIMIT_PER_MINUTE: "0",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let listening = 0;
  let tail = "";
  let errors = "";
  let partial = "";
  const requests = new Map<number, number>();
  const batches: number[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const end = text.lastIndexOf("\n") + 1;
    partial = text.slice(end);
    const lines = text.slice(0, end);
    if (listening < options.workers) {
      tail = (tail + lines).slice(-100_000);
      listening = tail.match(/Listening on http:\/\/localhost:\d+/g)?.length ?? 0;
    }
    // One log line per request, from the process that served it.
    for (const match of lines.matchAll(/"pid":(\d+),[^\n]*"msg":"request"/g)) {
      const pid = Number(match[1]);
      requests.set(pid, (requests.get(pid) ?? 0) + 1);
    }
    for (const match of lines.matchAll(/"size":(\d+),"ms":[\d.]+,"msg":"query batch"/g)) batches.push(Number(match[1]));
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-10_000);
  });
  let exited = "";
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = `code ${code}, signal ${signal}`;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = started + (options.timeoutMs ?? 120_000);
  let readyMs = 0;
  while (true) {
    if (exited) throw new Error(`The server exited (${exited}) before it was ready:\n${tail}\n${errors}`);
    if (performance.now() > deadline) {
      await stopProcessTree(child, exit);
      throw new Error(`The server was not ready in time:\n${tail}\n${errors}`);
    }
    if (readyMs === 0 && (await healthy(url))) readyMs = performance.now() - started;
    if (readyMs > 0 && listening >= options.workers) break;
    await sleep(readyMs > 0 ? 20 : 5);
  }
  return {
    url,
    child,
    readyMs,
    peakRss: () => describeTree(child.pid!),
    cpuSeconds: () =>
      describeTree(child.pid!)
        .filter((entry) => entry.role !== "tsx cli")
        .reduce((sum, entry) => sum + cpuSecondsOf(entry.pid), 0),
    requestsByProcess: () => new Map(requests),
    batchSizes: () => [...batches],
    stop: () => stopProcessTree(child, exit),
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * The spawned process and its descendants with their peak RSS. Under `tsx` the spawned process is
 * the tsx CLI, which runs the server in a child Node process; in a cluster, workers are its children.
 */
function describeTree(root: number): Array<{ role: string; pid: number; peakRssMb: number }> {
  const tree = descendants(root);
  const server = tree.find((entry) => entry.depth === (isTsxCli(root) ? 1 : 0));
  return [{ pid: root, depth: 0 }, ...tree].map(({ pid, depth }) => ({
    role:
      depth === 0 && isTsxCli(root)
        ? "tsx cli"
        : pid === server?.pid || (depth === 0 && !server)
          ? "primary"
          : "worker",
    pid,
    peakRssMb: peakRssMb(pid),
  }));
}

function isTsxCli(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("node_modules/.bin/tsx");
  } catch {
    return false;
  }
}

/** Every descendant of `root`, found through the parent pid in /proc/<pid>/stat. */
export function descendants(root: number): Array<{ pid: number; depth: number }> {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name may hold spaces and parentheses; fields after its closing ")" are fixed.
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(parent, [...(parents.get(parent) ?? []), Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: Array<{ pid: number; depth: number }> = [];
  const visit = (pid: number, depth: number) => {
    for (const child of parents.get(pid) ?? []) {
      found.push({ pid: child, depth });
      visit(child, depth + 1);
    }
  };
  visit(root, 1);
  return found;
}

/** utime + stime of a process, in seconds (clock ticks of 1/100 s on Linux). */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** VmHWM: the peak resident set size of a process, in MiB. */
export function peakRssMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : 0;
  } catch {
    return 0;
  }
}

/**
 * SIGTERM to the spawned process (the tsx CLI passes it on; a cluster primary passes it to its
 * workers), then SIGKILL, by pid, to any process of the tree still there after 10 s.
 */
export async function stopProcessTree(child: ChildProcess, exit: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const pids = [child.pid!, ...descendants(child.pid!).map((entry) => entry.pid)];
  signal(child.pid!, "SIGTERM");
  const killAll = () => {
    for (const pid of pids.filter(alive)) signal(pid, "SIGKILL");
  };
  const timer = setTimeout(killAll, 10_000);
  await exit;
  // Wait for the server's own processes too: the next measurement needs the cores back.
  for (let i = 0; i < 200 && pids.some(alive); i++) await sleep(50);
  clearTimeout(timer);
  killAll();
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
