import { cp, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const interviewPath = path.join(projectRoot, "data/interview.txt");
export const starterQuestionsPath = path.join(projectRoot, "test/fixtures/starter-questions.jsonl");

export function readInterview(): Promise<string> {
  return readFile(interviewPath, "utf8");
}

/** A scratch folder holding a copy of data/ and an empty index folder. */
export async function scratchProject(): Promise<{ dataDir: string; indexDir: string; root: string }> {
  const root = await mkdtemp(path.join(tmpdir(), "interview-chat-"));
  const dataDir = path.join(root, "data");
  await cp(path.join(projectRoot, "data"), dataDir, { recursive: true });
  return { root, dataDir, indexDir: path.join(root, "index") };
}
