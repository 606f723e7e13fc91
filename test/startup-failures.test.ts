import { spawn } from "node:child_process";
import { chmod, cp, mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LocalEmbeddings } from "../src/embed/local-embeddings.js";
import { openIndex } from "../src/search-index/open-index.js";
import { projectRoot, scratchProject } from "./support/corpus.js";

let project: Awaited<ReturnType<typeof scratchProject>>;

beforeAll(async () => {
  // A built index, so a server gets as far as its workers quickly.
  project = await scratchProject();
  await openIndex({ ...project, embedder: new LocalEmbeddings() });
});

/** Runs src/main.ts until it exits, or kills it after `ms` (a server that keeps running or restarting). */
function start(
  env: Record<string, string>,
  ms = 45_000,
  user: { uid?: number; gid?: number } = {},
): Promise<{ code: number | null; killed: boolean; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: project.dataDir,
      INDEX_DIR: project.indexDir,
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    ...user,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, ms);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, killed, stdout, stderr });
    }),
  );
}

async function occupiedPort(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return server;
}

describe("start-up failures", () => {
  it.each(["1", "2"])(
    "a port in use is one line and exit code 1, with no restart loop (WEB_CONCURRENCY=%s)",
    async (workers) => {
      const blocker = await occupiedPort();
      try {
        const { port } = blocker.address() as AddressInfo;
        const result = await start({ PORT: String(port), WEB_CONCURRENCY: workers });
        expect(result.killed).toBe(false);
        expect(result.code).toBe(1);
        expect(result.stderr.trim().split("\n")).toEqual([
          `Cannot start: Cannot listen on port ${port}: another process is using it`,
        ]);
        expect(result.stdout).not.toContain("Listening on");
        expect(result.stdout).not.toContain("starting another");
      } finally {
        blocker.close();
      }
    },
    90_000,
  );

  it("an empty data folder is one line, as the CLI says it", async () => {
    const empty = path.join(project.root, "empty-data");
    await mkdir(empty, { recursive: true });
    const result = await start({ PORT: "0", WEB_CONCURRENCY: "2", DATA_DIR: empty });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      `Cannot start: No interview found: ${empty} holds no non-empty .txt, .md, .markdown, .html, .htm, .vtt, .srt, .docx or .pdf file`,
    ]);
    expect(result.stdout).toBe("");
  }, 60_000);

  it("an unreadable transcript is one line naming it", async () => {
    const dataDir = path.join(project.root, "unreadable-data");
    await cp(project.dataDir, dataDir, { recursive: true });
    const file = path.join(dataDir, "interview.txt");
    await chmod(file, 0o000);
    // Root reads any file: as root, the server runs as nobody, for whom the folders stay readable.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) for (const folder of [project.root, dataDir]) await chmod(folder, 0o755);
    const result = await start(
      { PORT: "0", WEB_CONCURRENCY: "2", DATA_DIR: dataDir, HOME: "/tmp" },
      45_000,
      asRoot ? { uid: 65534, gid: 65534 } : {},
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^Cannot start: Cannot read ${file.replaceAll("/", "\\/")}: EACCES`)),
    ]);
    expect(result.stdout).toBe("");
  }, 60_000);

  it("stops, instead of forking worker after worker, when the workers fail while starting", async () => {
    // The prompts are loaded by each worker, not by the primary: every worker fails the same way.
    const result = await start({
      PORT: "0",
      WEB_CONCURRENCY: "2",
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      PROMPTS_DIR: path.join(project.root, "no-prompts"),
    });
    expect(result.killed).toBe(false);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines.every((line) => line.startsWith("Cannot start: "))).toBe(true);
    // At most one line from each of the 2 workers and one from the primary, in any order: the second
    // worker may still be writing its line as the primary stops it.
    expect(lines.filter((line) => line.includes("Cannot read prompt")).length).toBeLessThanOrEqual(2);
    expect(lines.filter((line) => /a worker failed while starting/.test(line))).toHaveLength(1);
    expect(result.stdout).not.toContain("starting another");
  }, 90_000);
});
