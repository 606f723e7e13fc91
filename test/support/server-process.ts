import { spawn, type ChildProcess } from "node:child_process";
import { projectRoot } from "./corpus.js";

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (its JSON log lines). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * src/main.ts as `npm start` runs it, with `env` on top of a bare environment, on a free port;
 * resolves once all `workers` print that they listen.
 */
export function startServerProcess(
  env: Record<string, string>,
  workers = Number(env.WEB_CONCURRENCY ?? 1),
): Promise<ServerProcess> {
  // Node with tsx's loader rather than the `tsx` CLI, which may SIGKILL a child slow to confirm a signal.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ports = [...output.matchAll(/Listening on http:\/\/localhost:(\d+)/g)].map((match) => match[1]);
      if (ports.length === workers) {
        resolve({
          url: `http://127.0.0.1:${ports[0]}`,
          child,
          output: () => output,
          stop: async () => {
            child.kill("SIGKILL");
            await exited;
          },
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", () => reject(new Error(`server exited early: ${output}`)));
  });
}
