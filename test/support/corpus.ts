import { cp, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** An index of data/ built once per run with the local encoder (test/support/shared-index.ts). */
    sharedIndexDir: string;
  }
}

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const interviewPath = path.join(projectRoot, "data/interview.txt");
export const starterQuestionsPath = path.join(projectRoot, "test/fixtures/starter-questions.jsonl");

export function readInterview(): Promise<string> {
  return readFile(interviewPath, "utf8");
}

export interface ScratchOptions {
  /**
   * "built" (the default): the index folder holds a copy of the run's shared index of data/
   * (test/support/shared-index.ts), so whatever opens it loads rather than builds. "none": no
   * index, for tests of building it. A test that changes data/ gets a rebuild either way: the
   * index names the sources it was built from.
   */
  index?: "built" | "none";
}

/** A scratch folder holding a copy of data/ and an index folder. */
export async function scratchProject(
  options: ScratchOptions = {},
): Promise<{ dataDir: string; indexDir: string; root: string }> {
  const root = await mkdtemp(path.join(tmpdir(), "interview-chat-"));
  const dataDir = path.join(root, "data");
  const indexDir = path.join(root, "index");
  await cp(path.join(projectRoot, "data"), dataDir, { recursive: true });
  const shared = (options.index ?? "built") === "built" ? inject("sharedIndexDir") : undefined;
  // verbatimSymlinks: the copy's `current` link points into the copy, not into the shared folder.
  if (shared) await cp(shared, indexDir, { recursive: true, verbatimSymlinks: true });
  return { root, dataDir, indexDir };
}
