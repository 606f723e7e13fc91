/*
 * `npx tsx bench/request-steps.ts [distinct|repeated] [--requests N] [--bundle FILE]`: where a
 * request's server time goes. Runs the server (unbundled `build/main.js`, one worker, so function
 * names and files are readable) under `--cpu-prof`, asks N questions one at a time with fetch (which
 * sends Accept-Encoding), then reads the profile: each step's CPU time per request (each sample
 * goes to the innermost step on its stack, so the steps add up), and its share of the server's busy time. On a shared machine the CPU per request
 * is the steadier measure (wall time includes waiting for the cores).
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { measureIndexBuild } from "./in-process.js";
import { DistinctQuestions, projectRoot, repeatedQuestion } from "./questions.js";
import { startServer } from "./server-process.js";

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { requests: { type: "string" }, env: { type: "string", multiple: true }, top: { type: "string" } },
});
const kind = positionals[0] === "repeated" ? "repeated" : "distinct";
const requests = Number(flags.requests ?? (kind === "distinct" ? 300 : 3000));
const extraEnv = Object.fromEntries((flags.env ?? []).map((pair) => pair.split("=", 2) as [string, string]));

/** A step: a name and whether a profile frame (function name, file) belongs to it. */
const steps: Array<[string, (name: string, file: string) => boolean]> = [
  ["HTTP: node's parser, sockets, writing", (n, f) => f.startsWith("node:_http") || f.startsWith("node:net")],
  ["express routing (router, layers)", (n, f) => /node_modules\/(router|express)\//.test(f)],
  ["helmet", (n, f) => f.includes("/helmet/")],
  ["request log (pino)", (n, f) => f.includes("/pino") || n === "logRequests"],
  ["request id", (n, f) => f.endsWith("serve/protect.js") && n === "requestId"],
  ["limits (express-rate-limit)", (n, f) => f.includes("express-rate-limit") || /^limit(Rate|Session)$/.test(n)],
  ["keys and sessions (authenticate)", (n, f) => f.endsWith("session-token.js") || n === "authenticate"],
  ["origins and CORS", (n, f) => f.includes("/cors/") || /^(corsHeaders|refuseOtherOrigins|ownOrigins)$/.test(n)],
  ["JSON body parse", (n, f) => f.includes("body-parser") || n === "rejectInvalidUtf8"],
  ["request validation (zod)", (n, f) => f.includes("/zod/")],
  ["answer cache", (n, f) => f.endsWith("cached-answerer.js")],
  ["encoder call", (n, f) => f.includes("@energetic-ai") || f.includes("tfjs") || f.endsWith("use-lite-graph.js")],
  ["language check (franc)", (n, f) => f.includes("franc") || f.includes("trigram")],
  [
    "turn routing (small talk, overview)",
    (n, f) => f.includes("/answer/route/") && n !== "" && !f.includes("suggestions"),
  ],
  ["retrieval (BM25, HNSW, fusion)", (n, f) => f.includes("/retrieve/") || f.includes("/search-index/")],
  ["extractive answer", (n, f) => f.includes("/answer/extractive/")],
  ["claim checks", (n, f) => f.includes("/answer/verify/")],
  ["suggestions", (n, f) => f.endsWith("suggestions.js")],
  ["insights", (n, f) => f.includes("/insights/") || f.includes("better-sqlite3") || n === "startTurn"],
  ["serialisation (toWire, JSON.stringify)", (n) => n === "toWire" || n === "stringify" || n === "json"],
  ["compression (zlib)", (n, f) => f.includes("zlib") || f.endsWith("serve/compress.js")],
  ["garbage collection", (n) => n === "(garbage collector)"],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

const built = await measureIndexBuild(path.join(projectRoot, "data"), 1);
const questions = await DistinctQuestions.fromQuestionSets();
const profileDir = await mkdtemp(path.join(tmpdir(), "interview-chat-profile-"));
const server = await startServer({
  dataDir: path.join(projectRoot, "data"),
  indexDir: built.indexDir,
  workers: 1,
  command: [process.execPath, "--cpu-prof", `--cpu-prof-dir=${profileDir}`, "build/main.js"],
  env: extraEnv,
});
const chat = async (message: string) => {
  const response = await fetch(`${server.url}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message }),
  });
  await response.arrayBuffer();
};
/** Asks the timed questions; the window is on the monotonic clock, in µs, as the profile's timestamps are. */
async function run(): Promise<{ wallMs: number; cpuMs: number; window: [number, number] }> {
  try {
    for (let i = 0; i < 30; i++) await chat(kind === "distinct" ? questions.next() : repeatedQuestion);
    const cpu = server.cpuSeconds();
    const started = performance.now();
    const from = Number(process.hrtime.bigint() / 1000n);
    for (let i = 0; i < requests; i++) await chat(kind === "distinct" ? questions.next() : repeatedQuestion);
    const to = Number(process.hrtime.bigint() / 1000n);
    return {
      wallMs: (performance.now() - started) / requests,
      cpuMs: ((server.cpuSeconds() - cpu) * 1000) / requests,
      window: [from, to],
    };
  } finally {
    await server.stop();
    await built.cleanUp();
  }
}
const { wallMs, cpuMs, window } = await run();

const file = (await readdir(profileDir)).find((name) => name.endsWith(".cpuprofile"));
if (!file) throw new Error(`No profile in ${profileDir}`);
const profile = JSON.parse(await readFile(path.join(profileDir, file), "utf8")) as {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};
await rm(profileDir, { recursive: true, force: true });

// Each node's parent, and each sample's time (a sample's delta is the time until the next one).
const parent = new Map<number, ProfileNode>();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
const selfMs = new Map<number, number>();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i]!;
  if (at < window[0]! || at > window[1]!) return; // start-up, warm-up, shutdown
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
});
const short = (url: string) => url.replace(/^file:\/\//, "").replace(projectRoot, "");
const inclusive = new Map<string, number>();
let busyMs = 0;
for (const [id, ms] of selfMs) {
  const node = byId.get(id)!;
  if (node.callFrame.functionName === "(idle)" || node.callFrame.functionName === "(program)") continue;
  busyMs += ms;
  // The sample counts for the innermost step on its stack: a step's callees that belong to no
  // other step are its own, so the steps add up to the busy time ("other": none on the stack).
  let step = "other";
  for (let frame: ProfileNode | undefined = node; frame && step === "other"; frame = parent.get(frame.id)) {
    const found = steps.find(([, matches]) => matches(frame!.callFrame.functionName, short(frame!.callFrame.url)));
    if (found) step = found[0];
  }
  inclusive.set(step, (inclusive.get(step) ?? 0) + ms);
}
if (busyMs === 0) throw new Error("No profile samples in the timed window");
const perRequest = (ms: number) => ms / requests;
const log = (line: string) => process.stdout.write(`${line}\n`);
log(
  `${kind} questions, ${requests} one at a time: ${wallMs.toFixed(3)} ms wall, ${cpuMs.toFixed(3)} ms server CPU a request (profile: ${(busyMs / requests).toFixed(3)} ms busy a request)`,
);
log(`| step | CPU ms a request | share |\n|---|---|---|`);
for (const [name] of [...steps, ["other"]]) {
  const ms = inclusive.get(name!) ?? 0;
  if (ms / busyMs < 0.002) continue;
  log(`| ${name} | ${perRequest(ms).toFixed(3)} | ${((100 * ms) / busyMs).toFixed(1)} % |`);
}

// The functions with the most time of their own, to see inside a step.
if (flags.top) {
  const own = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const { functionName, url } = byId.get(id)!.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") continue;
    const key = `${functionName || "(anonymous)"} ${short(url).replace(/.*node_modules\//, "")}`;
    own.set(key, (own.get(key) ?? 0) + ms);
  }
  log(`\n| function (own time) | CPU ms a request | share |\n|---|---|---|`);
  for (const [key, ms] of [...own].sort((a, b) => b[1] - a[1]).slice(0, Number(flags.top)))
    log(`| ${key} | ${perRequest(ms).toFixed(3)} | ${((100 * ms) / busyMs).toFixed(1)} % |`);
}
