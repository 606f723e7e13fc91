import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The server as one CommonJS file, `build/bundle/server.cjs`, which scripts/run-server.cjs runs with
 * V8's code cache. Two folders deep, as build/serve/ is, so `import.meta.url`-relative paths
 * ("../../dist") resolve alike.
 */
export const serverBundle = path.join(projectRoot, "build", "bundle", "server.cjs");

/**
 * Packages the server loads only in some configurations (the local encoder, once the first question
 * comes; OpenAI and LangChain in LLM mode; Redis with REDIS_URL; the tokenizer for `usage`; the Word
 * and PDF readers when data/ holds a .docx or .pdf), and the native addons: left out of the bundle
 * and required from node_modules when used, so the bundle V8 compiles at every start holds only
 * what every start runs.
 */
const loadedWhenUsed = [
  "@energetic-ai/*",
  "@langchain/*",
  "openai",
  "ioredis",
  "rate-limit-redis",
  "js-tiktoken",
  "hnswlib-node",
  "better-sqlite3",
  "mammoth",
  // An ES module (required as one, which Node does from 20.19 on), that imports its worker from beside it.
  "pdfjs-dist",
];

/**
 * Links the compiled server (build/main.js, from tsc) and the packages it imports at start into
 * `outfile`. One file instead of some 300 modules saves resolving and reading each, and a
 * CommonJS script is what V8's code cache can serve on Node 20 (which has no cache for ES modules).
 * `import()` is turned into `require()`: Node 20 loses the dynamic-import callback of a script
 * compiled from a code cache, so a cached script must not use it.
 * @returns the paths written.
 */
export async function bundleServer(outfile = serverBundle): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(projectRoot, "build", "main.js")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    supported: { "dynamic-import": false },
    external: loadedWhenUsed,
    define: { "import.meta.url": "__bundleUrl" },
    banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    sourcemap: true,
    write: false,
    logLevel: "warning",
    absWorkingDir: projectRoot,
  });
  await mkdir(path.dirname(outfile), { recursive: true });
  for (const output of result.outputFiles)
    await writeFile(output.path, output.path === outfile ? asciiOnly(output.text) : output.contents);
  return result.outputFiles.map((output) => output.path);
}

/**
 * The bundle with every character outside ASCII written as a `\u` escape. esbuild escapes them in
 * strings but leaves them in regular expressions and comments (’ “ — in ours), and one of them
 * makes Node decode the whole 2.9 MB file as UTF-8 into a two-byte string: 41–48 ms to read it,
 * against 25–35 ms for the ASCII file read as Latin-1 (scripts/code-cache.cjs). An escape means the
 * same character in a string, a regular expression (u flag or not) and a comment; after a
 * backslash it would not (`\’` is an identity escape), so a bundle with one is left as it is.
 */
export function asciiOnly(code: string): string {
  if (/\\[\u0080-\uffff]/.test(code)) return code;
  return code.replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
