import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { beekeeperTranscript } from "./support/beekeeper-interview.js";
import { projectRoot, readInterview, scratchProject } from "./support/corpus.js";

const run = promisify(execFile);
const tsx = path.join(projectRoot, "node_modules/.bin/tsx");
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const project = await scratchProject();
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: project.dataDir,
    INDEX_DIR: project.indexDir,
    LOG_LEVEL: "warn",
  };
});

const ask = (...args: string[]) => run(tsx, ["src/cli/ask.ts", ...args], { cwd: projectRoot, env });

describe("npm run ask", () => {
  it("prints the answer, then each citation with its number, section and quote", async () => {
    const { stdout } = await ask("How many deputies will the Mazhilis have?");
    expect(stdout).toMatch(/reduced from 107 to 98.*\[1\]/);
    expect(stdout).toMatch(/^\[1\] On 5 June, a constitutional referendum/m);
    expect(stdout).toMatch(/“The number of deputies of the Mazhlis will be reduced from 107 to 98/);
    // The quote's file with its offsets.
    expect(stdout).toMatch(/” \(interview\.txt, characters \d+–\d+\)$/m);
  });

  it("limits the question to the files --source names, and names an unknown one", async () => {
    const { stdout } = await ask("--json", "--source", "interview.txt", "How many deputies will the Mazhilis have?");
    const response = JSON.parse(stdout) as { contexts: Array<{ source: string }> };
    expect(response.contexts.length).toBeGreaterThan(0);
    expect(response.contexts.every((context) => context.source === "interview.txt")).toBe(true);
    const failure = await ask("--source", "missing.txt", "How many deputies?").catch(
      (error: { stderr: string; code: number }) => error,
    );
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('"missing.txt"') });
  });

  it("prints the HTTP contract's response object with --json", async () => {
    const { stdout } = await ask("--json", "Which Latvian ports receive Kazakh cargo?");
    const response = JSON.parse(stdout);
    expect(Object.keys(response).sort()).toEqual([
      "answer",
      "citations",
      "claims",
      "contexts",
      "grounded",
      "kind",
      "mode",
      "suggestions",
    ]);
    const source = await readInterview();
    for (const citation of response.citations) expect(source.slice(citation.start, citation.end)).toBe(citation.quote);
    expect(response.answer).toContain("Ventspils");
  });

  it("fails with one clear line on an empty question", async () => {
    const error = await ask("  ").catch((caught: { code: number; stderr: string }) => caught);
    expect(error).toMatchObject({ code: 1, stderr: "error: The question is empty\n" });
  });

  it("fails with one clear line when the data folder cannot be read", async () => {
    const error = await run(tsx, ["src/cli/ask.ts", "Anything?"], {
      cwd: projectRoot,
      env: { ...env, DATA_DIR: "/nonexistent/data" },
    }).catch((caught: { code: number; stderr: string }) => caught);
    expect(error).toMatchObject({ code: 1 });
    expect((error as { stderr: string }).stderr).toMatch(/^error: Cannot read the data folder \/nonexistent\/data/);
    expect((error as { stderr: string }).stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("npm run ingest", () => {
  it("rebuilds the index and says what it holds", async () => {
    // A short interview of its own (its lead and 7 questions: 8 chunks): this is about the command, not
    // the corpus, and data/ takes 13 s to embed.
    const project = await scratchProject({ index: "none" });
    await rm(path.join(project.dataDir, "interview.txt"));
    await writeFile(path.join(project.dataDir, "bees.txt"), beekeeperTranscript());
    const { stdout } = await run(tsx, ["src/cli/ingest.ts"], {
      cwd: projectRoot,
      env: { ...env, DATA_DIR: project.dataDir, INDEX_DIR: project.indexDir },
    });
    expect(stdout).toMatch(
      /^Indexed bees\.txt: 8 chunks, \d+ sentences, local:universal-sentence-encoder-lite \(512 dimensions\)/,
    );
  });
});
