// `npm run build`: compiles the server and the CLIs with tsc (tsconfig.build.json → build/), links
// the server into one file with esbuild (→ build/bundle/server.cjs, which scripts/run-server.cjs
// runs) and bundles the widget (→ dist/), then writes build/.stamp, whose mtime is the time the
// build *started*: a source saved during a build is newer than the stamp, so the next start rebuilds.
// Plain JavaScript, so it runs before anything is compiled. Also imported by scripts/start.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const buildMain = path.join(root, "build", "main.js");
export const serverBundle = path.join(root, "build", "bundle", "server.cjs");
export const runServer = path.join(root, "scripts", "run-server.cjs");
const stamp = path.join(root, "build", ".stamp");
// Held (an atomic mkdir) while a build runs, so two starts, or two test files, never build at once.
const lock = path.join(root, "build", ".lock");
const widget = path.join(root, "dist", "widget.js");
// What the build is made from. prompts/ is not among them: the server reads prompts/*.md at start.
const inputs = ["src", "tsconfig.json", "tsconfig.build.json", "scripts/build.mjs"];

/** The newest mtime (ms) among the build's inputs. */
function newestInput() {
  let newest = 0;
  const visit = (file) => {
    let stats;
    try {
      stats = statSync(file);
    } catch {
      return; // an optional input that does not exist
    }
    if (stats.isDirectory()) for (const name of readdirSync(file)) visit(path.join(file, name));
    else newest = Math.max(newest, stats.mtimeMs);
  };
  for (const input of inputs) visit(path.join(root, input));
  return newest;
}

/** Why the build must be (re)made, or null when it is up to date. */
export function staleReason() {
  if (![buildMain, serverBundle, widget, stamp].every((file) => existsSync(file))) return "no build yet";
  return newestInput() > statSync(stamp).mtimeMs ? "sources changed since the last build" : null;
}

/** Whether the build tools (typescript, esbuild: dev dependencies) are installed. */
export function canBuild() {
  const require = createRequire(import.meta.url);
  try {
    require.resolve("typescript/bin/tsc");
    require.resolve("esbuild");
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds build/ and dist/ (with `ifStale`, only if still stale once no other build is running);
 * throws with tsc's exit status when the code does not compile. Returns what it wrote, or null.
 */
export async function build({ ifStale = false } = {}) {
  await acquireLock();
  try {
    if (ifStale && !staleReason()) return null;
    const started = new Date();
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const compiled = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], {
      stdio: "inherit",
    });
    if (compiled.status !== 0)
      throw new Error(`tsc -p tsconfig.build.json failed (exit ${compiled.status ?? compiled.signal})`);
    const cli = (name) => import(pathToFileURL(path.join(root, "build", "cli", name)).href);
    const [{ bundleServer }, { buildWidget }] = await Promise.all([cli("bundle-server.js"), cli("build-widget.js")]);
    const written = [...(await bundleServer()), ...(await buildWidget())];
    writeFileSync(stamp, `${started.toISOString()}\n`);
    utimesSync(stamp, started, started);
    return ["build/", ...written.map((file) => path.relative(root, file))];
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Waits for another build to finish; a lock older than 10 minutes was left by a build that died. */
async function acquireLock() {
  mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
    } catch {
      // removed meanwhile: try again
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // --if-stale (npm's `prepare`): build only when needed, and where the dev dependencies were left
  // out (`npm ci --omit=dev` with a build shipped alongside), say so and leave the build as it is.
  // (tsc is not incremental here: its .tsbuildinfo would skip emitting a deleted build/main.js.)
  const ifStale = process.argv.includes("--if-stale");
  const reason = staleReason();
  if (ifStale && !reason) process.exit(0);
  if (ifStale && !canBuild()) {
    process.stderr.write(
      `Not building (${reason}): typescript and esbuild are dev dependencies and are not installed.\n`,
    );
    process.exit(0);
  }
  try {
    const written = await build({ ifStale });
    if (written) process.stdout.write(`Built ${written.join(", ")}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    // A failed build does not fail `npm install` (prepare): the packages are in place, and
    // `npm start` tries again and stops with the same error.
    process.exit(ifStale ? 0 : 1);
  }
}
