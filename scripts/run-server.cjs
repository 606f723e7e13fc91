// The production start: the bundled server (build/bundle/server.cjs, made by `npm run build`) run
// with V8's code cache (scripts/code-cache.cjs). `npm start` comes here once the build is current;
// so do the workers, which the cluster forks from this file.
"use strict";
const path = require("node:path");
const { runWithCodeCache } = require("./code-cache.cjs");

const bundle = path.join(__dirname, "..", "build", "bundle", "server.cjs");
const server = runWithCodeCache(bundle);
// The cache holds what V8 has compiled when it is saved, so it is saved late: 5 s after listening,
// when the first requests and the background check of the suggestions (which answers questions)
// have run and their code is compiled too, or at exit if that comes first (a short run still leaves
// its cache). A primary only forks, and compiles far less.
server.exports.started.then((role) => {
  if (role !== "server") return;
  setTimeout(server.saveCache, 5_000).unref();
  process.once("exit", server.saveCache);
});
