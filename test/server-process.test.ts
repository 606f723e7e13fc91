import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { FakeOpenAiServer } from "./support/fake-openai-server.js";
import { waitFor } from "./support/wait-for.js";

// The server as `npm start` runs it (scripts/start.mjs: the bundled server, build/bundle/server.cjs, with
// V8's code cache, built first if build/ is missing or older than src/): the real process, its real
// index, the LLM behind a fake upstream (OpenAI's client, which the bundle requires from node_modules).
let upstream: FakeOpenAiServer;
let child: ChildProcess;
let url: string;
let exited: Promise<number | null>;
let output = "";

beforeAll(async () => {
  upstream = await new FakeOpenAiServer().start();
  upstream.chat = { reply: "Riga is one of the ports [1].", delayMs: 800 };
  const project = await scratchProject();
  // The launcher runs the server in its own process (no child to relay SIGTERM to), so the signal
  // below reaches the server's own handlers.
  child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: "0",
      DATA_DIR: project.dataDir,
      INDEX_DIR: project.indexDir,
      OPENAI_BASE_URL: upstream.baseURL,
      LLM_MAX_RETRIES: "0",
      LOG_LEVEL: "info",
      WEB_CONCURRENCY: "2",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const ports = [...output.matchAll(/Listening on http:\/\/localhost:(\d+)/g)].map((match) => match[1]);
      if (ports.length === 2) resolve(`http://127.0.0.1:${ports[0]}`);
    });
    child.on("exit", () => reject(new Error(`server exited early: ${output}`)));
  });
}, 240_000); // a stale build is rebuilt first: tsc and esbuild took 15–40 s on 2 busy cores

afterAll(async () => {
  child.kill("SIGKILL");
  await upstream.stop();
});

describe("the server process", () => {
  it("serves from one worker per WEB_CONCURRENCY, all on the same port", () => {
    const listening = [...output.matchAll(/"worker":(\d+).*Listening on http:\/\/localhost:(\d+)/g)];
    expect(new Set(listening.map((match) => match[1])).size).toBe(2);
    expect(new Set(listening.map((match) => match[2])).size).toBe(1);
  });

  it("is healthy once listening, serves the widget and answers with the LLM", async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // Found from the bundle's own place (build/bundle/ → dist/), as from build/serve/.
    const widget = await fetch(`${url}/widget.js`);
    expect(widget.status).toBe(200);
    expect(await widget.text()).toContain("interview-chat");
    const body = await (
      await fetch(`${url}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ message: "Which Latvian ports?" }),
      })
    ).json();
    expect(body).toMatchObject({ mode: "llm", grounded: true });
  });

  it("finishes in-flight requests on SIGTERM, then exits 0", async () => {
    const asked = upstream.requests.length;
    let answered = false;
    const inFlight = fetch(`${url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Which Latvian ports receive cargo?" }),
    });
    void inFlight.then(
      () => (answered = true),
      () => {},
    );
    // In flight for sure: a worker has asked the model, which takes 800 ms to answer.
    // The worker embeds the question first: seconds on a busy machine, so a generous deadline.
    await waitFor(() => upstream.requests.length > asked, "the worker to ask the model", { timeoutMs: 45_000 });
    expect(answered).toBe(false);
    child.kill("SIGTERM");
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((await response.json()).answer).toContain("Riga");
    expect(await exited).toBe(0);
  });
});
