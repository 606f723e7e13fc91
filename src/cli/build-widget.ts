import path from "node:path";
import { fileURLToPath } from "node:url";
import { readFile, stat, utimes, writeFile } from "node:fs/promises";
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

/**
 * Writes `file.br` and `file.gz` beside `file`, with `file`'s own mtime: the server sends them only
 * when they are not older than it. Written after it is not enough: with Linux's multigrain
 * timestamps a file written later can carry an earlier (coarse) time than one written before.
 */
export async function precompress(file: string): Promise<string[]> {
  const [body, { atime, mtime }] = await Promise.all([readFile(file), stat(file)]);
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  const written = [`${file}.br`, `${file}.gz`];
  await Promise.all([writeFile(written[0]!, br), writeFile(written[1]!, gz)]);
  await Promise.all(written.map((variant) => utimes(variant, atime, mtime)));
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await buildWidget(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  process.stdout.write(`Built ${written.map((file) => path.relative(process.cwd(), file)).join(", ")}\n`);
}
