// `npm start`: runs the built server (scripts/run-server.cjs: build/bundle/server.cjs with V8's code
// cache) in this process, building it first only when build/ is missing or older than src/
// (scripts/build.mjs), so `npm install && npm start` still does everything on a fresh clone, and a
// production start with a current build needs no compiler.
// The server runs in this very process (not a child), so SIGTERM/SIGINT reach its own handlers.
import cluster from "node:cluster";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { build, canBuild, runServer, serverBundle, staleReason } from "./build.mjs";

const reason = staleReason();
if (reason && canBuild()) {
  process.stderr.write(`Building (${reason})…\n`);
  try {
    await build({ ifStale: true });
  } catch (error) {
    process.stderr.write(`Cannot start: ${error.message}\n`);
    process.exit(1);
  }
} else if (reason && existsSync(serverBundle)) {
  process.stderr.write(
    `Starting the existing build (${reason}, and typescript and esbuild are not installed to rebuild it).\n`,
  );
} else if (reason) {
  process.stderr.write(
    "Cannot start: there is no build/ and no typescript to make one: run `npm install` (with dev dependencies), then `npm start`.\n",
  );
  process.exit(1);
}
// Workers run scripts/run-server.cjs itself, not this launcher (cluster forks process.argv[1]
// by default).
cluster.setupPrimary({ exec: runServer });
createRequire(import.meta.url)(runServer);
