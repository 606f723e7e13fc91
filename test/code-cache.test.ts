import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// scripts/code-cache.cjs: how the production start (scripts/run-server.cjs) runs the bundled server
// with V8's code cache. Here on a small CommonJS file that requires a sibling and a built-in.
interface CachedRun {
  exports: { answer: number; dirname: string; sibling: string; platform: string };
  cache: "used" | "rejected" | "none";
  saveCache(): boolean;
}
const { runWithCodeCache, cacheFileFor } = createRequire(import.meta.url)("../scripts/code-cache.cjs") as {
  runWithCodeCache(file: string): CachedRun;
  cacheFileFor(file: string): string;
};

let folder: string;
let file: string;
const caches = async () => (await readdir(folder)).filter((name) => name.endsWith(".v8-cache"));

async function writeModule(answer: number): Promise<void> {
  await writeFile(
    file,
    `const os = require("node:os");
const { name } = require("./sibling.cjs");
exports.answer = ${answer};
exports.dirname = __dirname;
exports.sibling = name;
exports.platform = os.platform();
`,
  );
}

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "interview-chat-code-cache-"));
  file = path.join(folder, "server.cjs");
  await writeFile(path.join(folder, "sibling.cjs"), 'exports.name = "sibling";\n');
  await writeModule(42);
});
afterEach(() => rm(folder, { recursive: true, force: true }));

describe("running a file with V8's code cache", () => {
  it("runs the file as require() would: its exports, its folder, its own require", () => {
    const run = runWithCodeCache(file);
    expect(run.exports).toEqual({ answer: 42, dirname: folder, sibling: "sibling", platform: process.platform });
  });

  it("reads a file that is not ASCII as UTF-8 (an ASCII one is read as Latin-1, the same text)", async () => {
    await writeFile(file, 'exports.answer = "“forty-two” — naïve";\n');
    expect(runWithCodeCache(file).exports.answer).toBe("“forty-two” — naïve");
  });

  it("compiles the first time and saves the cache; the next run uses it and has nothing to save", async () => {
    const first = runWithCodeCache(file);
    expect(first.cache).toBe("none");
    expect(await caches()).toEqual([]);
    expect(first.saveCache()).toBe(true);
    expect(first.saveCache()).toBe(false); // once is enough
    expect(await caches()).toEqual([path.basename(cacheFileFor(file))]);

    const second = runWithCodeCache(file);
    expect(second.cache).toBe("used");
    expect(second.exports.answer).toBe(42);
    expect(second.saveCache()).toBe(false);
  });

  it("compiles anew when V8 refuses the cache (a damaged file, another Node), and replaces it", async () => {
    await writeFile(cacheFileFor(file), Buffer.from("not a code cache at all, just some bytes".repeat(20)));
    const run = runWithCodeCache(file);
    expect(run.cache).toBe("rejected");
    expect(run.exports.answer).toBe(42);
    expect(run.saveCache()).toBe(true);
    expect(runWithCodeCache(file).cache).toBe("used");
  });

  it("never gives a rebuilt file the cache of its predecessor, even at the same length; drops the old cache", async () => {
    runWithCodeCache(file).saveCache();
    const old = cacheFileFor(file);
    await writeModule(43); // same length as before
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    const rebuilt = runWithCodeCache(file);
    expect(rebuilt.cache).toBe("none");
    expect(rebuilt.exports.answer).toBe(43);
    expect(rebuilt.saveCache()).toBe(true);
    expect(await caches()).toEqual([path.basename(cacheFileFor(file))]);
    expect(cacheFileFor(file)).not.toBe(old);
  });

  it("still runs where the cache cannot be written, and says it was not saved", async () => {
    // Root writes through a read-only mode, so the write is made to fail another way: its
    // temporary file's name is taken by a folder.
    await mkdir(`${cacheFileFor(file)}.${process.pid}.tmp`);
    const run = runWithCodeCache(file);
    expect(run.exports.answer).toBe(42);
    expect(run.saveCache()).toBe(false);
    expect(await caches()).toEqual([]);
  });
});
