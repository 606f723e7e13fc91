import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config.js";
import { PromptError } from "../src/answer/llm/load-prompts.js";
import { AppError, IndexBuildError, InternalError, ReadOnlyIndexError } from "../src/errors.js";
import { describeError } from "../src/serve/describe-error.js";
import { projectRoot } from "./support/corpus.js";

/** The server's sources (the widget is browser code with errors of its own, for its own UI). */
async function serverSources(): Promise<Array<{ file: string; text: string }>> {
  const root = path.join(projectRoot, "src");
  const files = (await readdir(root, { recursive: true })).filter(
    (file) => file.endsWith(".ts") && !file.startsWith(`widget${path.sep}`),
  );
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(path.join(root, file), "utf8") })));
}

describe("one error root", () => {
  it("every error class of the server extends AppError, and nothing throws a bare Error", async () => {
    const sources = await serverSources();
    expect(sources.length).toBeGreaterThan(50);
    const offenders = sources.flatMap(({ file, text }) => [
      ...[...text.matchAll(/class (\w+) extends Error\b/g)]
        .filter((match) => match[1] !== "AppError")
        .map((match) => `${file}: class ${match[1]} extends Error`),
      ...[...text.matchAll(/throw new Error\(/g)].map(() => `${file}: throw new Error`),
    ]);
    expect(offenders).toEqual([]);
  });

  it("maps configuration, prompt and index errors through the one place, a bug's message never reaching the client", () => {
    for (const error of [
      new ConfigError("x"),
      new PromptError("x"),
      new IndexBuildError("x"),
      new ReadOnlyIndexError(),
      new InternalError("x"),
    ]) {
      expect(error).toBeInstanceOf(AppError);
      expect(error.name).toBe(error.constructor.name);
    }
    expect(describeError(new InternalError("chunks.json at /srv/index is broken"))).toEqual({
      status: 500,
      body: { code: "internal_error", message: "Something went wrong on our side" },
    });
  });
});
