// Runs a CommonJS file with V8's code cache, as Node 22's module.enableCompileCache() would: the
// first start compiles the file and, once told the code it runs at start is compiled, saves V8's
// cache of it beside the file; later starts load that instead of compiling (the server's start to
// /healthz: 435 ms the first time, 371 ms after, `npm run bench` on 2 cores; docs/benchmarks.md).
// Node 20 has no such API for modules; v8-compile-cache does this for every require() but saves
// only at exit, when V8 has dropped much of the compiled code (a 489 KB cache against 1.5 MB here,
// and a start of 664 against 537 ms), and never for a process that is killed.
"use strict";
const { isAscii } = require("node:buffer");
const { readFileSync, renameSync, statSync, writeFileSync, readdirSync, rmSync } = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

/**
 * The cache's file name names the file's size and modification time, so a rebuilt file never meets
 * the cache of its predecessor: V8 checks only the source's length and its own version and flags.
 */
function cacheFileFor(file) {
  const { size, mtimeMs } = statSync(file);
  return `${file}.${size}-${Math.trunc(mtimeMs)}.v8-cache`;
}

/**
 * Runs `file` as require() would and returns its exports, plus `saveCache()`: writes the cache when
 * there was none or V8 refused it (a Node upgrade), and is a no-op otherwise. Saving is best
 * effort: a read-only folder leaves the file to be compiled at each start, nothing worse; another
 * process saving at the same moment is harmless (each writes its own temporary file, then renames).
 * @returns {{ exports: unknown, cache: "used" | "rejected" | "none", saveCache(): boolean }}
 */
function runWithCodeCache(file) {
  const source = readSource(file);
  const cacheFile = cacheFileFor(file);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // no cache yet
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const cache = cachedData === undefined ? "none" : script.cachedDataRejected ? "rejected" : "used";
  const module = new Module(file, null);
  module.filename = file;
  script
    .runInThisContext()
    .call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  let saved = cache === "used";
  const saveCache = () => {
    if (saved) return false;
    saved = true;
    try {
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
      removeOtherCaches(file, cacheFile);
      return true;
    } catch {
      return false;
    }
  };
  return { exports: module.exports, cache, saveCache };
}

/**
 * The file's text; an ASCII file (the bundle is made so) is read as Latin-1, which is the same
 * text, into a one-byte string: about 15 ms faster for the 2.9 MB bundle than decoding UTF-8.
 */
function readSource(file) {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/** The caches of earlier builds of `file`: each is as large as the last, and none can be used again. */
function removeOtherCaches(file, keep) {
  const folder = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  for (const name of readdirSync(folder)) {
    const other = path.join(folder, name);
    if (name.startsWith(prefix) && name.endsWith(".v8-cache") && other !== keep) rmSync(other, { force: true });
  }
}

module.exports = { runWithCodeCache, cacheFileFor };
