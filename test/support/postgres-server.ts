import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port.js";

/**
 * Debian's PostgreSQL binaries: on PATH when linked there, else in /usr/lib/postgresql/<version>/bin
 * (where the `postgresql` package puts them, off PATH). Undefined when PostgreSQL is not installed.
 */
export function findPostgresBin(): string | undefined {
  const onPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return path.dirname(onPath);
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(path.join(root, version, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && path.join(root, versions[0], "bin");
}

export interface PostgresServer {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres`, trust authentication. */
  url: string;
  /** Stops it at once, as a crash or a lost network would (`pg_ctl stop -m immediate`). */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server of the test's own: `initdb` in a temporary folder, `pg_ctl` on 127.0.0.1 and
 * a free port, its socket in that folder. PostgreSQL refuses to run as root, so under root (CI's
 * containers) it runs as `nobody`, owning the folder.
 */
export async function startPostgres(bin: string): Promise<PostgresServer> {
  const folder = mkdtempSync(path.join(tmpdir(), "interview-chat-pg-"));
  const data = path.join(folder, "data");
  const asRoot = process.getuid?.() === 0;
  const asUser = asRoot ? { uid: 65534, gid: 65534 } : {};
  if (asRoot) chownSync(folder, 65534, 65534);
  const run = (program: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(path.join(bin, program), args, { ...asUser, cwd: folder, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.on("error", reject);
      child.on("exit", (code) =>
        code === 0 ? resolve() : reject(new Error(`${program} failed (${code}): ${output}`)),
      );
    });
  await run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () => run("pg_ctl", ["-D", data, "-l", path.join(folder, "log"), "-o", options, "-w", "start"]);
  const halt = () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  await start();
  let running = true;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async kill() {
      if (running) await halt();
      running = false;
    },
    async restart() {
      await start();
      running = true;
    },
    async stop() {
      if (running) await halt().catch(() => {});
      running = false;
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
