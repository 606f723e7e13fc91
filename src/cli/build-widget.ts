import path from "node:path";
import { fileURLToPath } from "node:url";
import { readFile, writeFile } from "node:fs/promises";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Where `npm run build:widget` writes, and where the server looks: `dist/` (gitignored). */
export const defaultWidgetDir = path.join(projectRoot, "dist");

/**
 * Bundles the browser code in `src/widget/` into `outdir`: `widget.js` (the embeddable widget, one
 * self-contained file), and the demo page's `demo.js` and `demo.css`. Minified, ES2020, no source maps.
 * @returns the paths written.
 */
export async function buildWidget(outdir = defaultWidgetDir): Promise<string[]> {
  const result = await build({
    entryPoints: ["widget.ts", "demo.ts", "demo.css"].map((name) => path.join(projectRoot, "src/widget", name)),
    outdir,
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2020",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    absWorkingDir: projectRoot,
  });
  const outputs = Object.keys(result.metafile.outputs).map((output) => path.resolve(projectRoot, output));
  return [...outputs, ...(await Promise.all(outputs.map(precompress))).flat()];
}

/** Writes `file.br` and `file.gz` beside `file`, after it (their mtime is not older: the server checks). */
export async function precompress(file: string): Promise<string[]> {
  const body = await readFile(file);
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  await Promise.all([writeFile(`${file}.br`, br), writeFile(`${file}.gz`, gz)]);
  return [`${file}.br`, `${file}.gz`];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await buildWidget(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  process.stdout.write(`Built ${written.map((file) => path.relative(process.cwd(), file)).join(", ")}\n`);
}
