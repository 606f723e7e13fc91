import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freePort } from "./free-port.js";

/** Debian's redis-server, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  return spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim() || undefined;
}

export interface RedisServer {
  url: string;
  port: number;
  /** The process, for a test that hangs it (SIGSTOP) and lets it go on (SIGCONT). */
  child: ChildProcess;
  /** Kills it (SIGKILL: its socket closes at once); once is enough, a second call just waits. */
  stop(): Promise<void>;
}

/** A redis-server of the test's own on 127.0.0.1 and `port` (a free one by default), keeping nothing on disk. */
export async function startRedis(program: string, port?: number): Promise<RedisServer> {
  const listenOn = port ?? (await freePort());
  const child = spawn(
    program,
    ["--port", String(listenOn), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    });
    child.on("exit", () => reject(new Error(`redis-server exited: ${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${listenOn}`,
    port: listenOn,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
