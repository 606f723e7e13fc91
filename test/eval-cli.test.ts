import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "../src/errors.js";
import { projectRoot, scratchProject } from "./support/corpus.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { FakeOpenAiServer } from "./support/fake-openai-server.js";
import { startApp } from "./support/http.js";

const run = promisify(execFile);
const tsx = path.join(projectRoot, "node_modules/.bin/tsx");
let root: string;
let env: NodeJS.ProcessEnv;
let questionsFile: string;
let noThresholds: string;
let server: Awaited<ReturnType<typeof startApp>>;

// Two answerable questions (the second with a fact no answer can state) and one the interview does not answer.
const questions = [
  {
    id: "c1",
    question: "How many deputies will the Mazhilis have?",
    answerable: true,
    evidence: ["reduced from 107 to 98"],
    facts: [["98"]],
  },
  {
    id: "c2",
    question: "Which Latvian ports receive Kazakh cargo?",
    answerable: true,
    evidence: ["Ventspils"],
    facts: [["a fact no answer states"]],
  },
  { id: "c3", question: "What's the capital city of Japan?", answerable: false },
];

beforeAll(async () => {
  const project = await scratchProject();
  root = project.root;
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: project.dataDir,
    INDEX_DIR: project.indexDir,
    LOG_LEVEL: "warn",
    LLM_PROVIDER: "extractive",
  };
  questionsFile = path.join(root, "questions.jsonl");
  await writeFile(questionsFile, questions.map((question) => JSON.stringify(question)).join("\n"));
  noThresholds = path.join(root, "no-thresholds.json");
  await writeFile(noThresholds, JSON.stringify({ min: {}, max: {} }));
  server = await startApp({ answerer: new FakeAnswerer() });
});
afterAll(() => server?.close());

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run eval -- args`, with `extraEnv` over the test's environment. */
const evaluateWith = (extraEnv: NodeJS.ProcessEnv, ...args: string[]): Promise<Outcome> =>
  run(tsx, ["src/cli/eval.ts", ...args], { cwd: projectRoot, env: { ...env, ...extraEnv } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Outcome) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
const evaluate = (...args: string[]) => evaluateWith({}, ...args);

describe("npm run eval", () => {
  it("prints the table and aggregates, writes the three reports and exits 0 when every threshold holds", async () => {
    const out = path.join(root, "out-ok");
    const { code, stdout, stderr } = await evaluate(
      "--questions",
      questionsFile,
      "--out",
      out,
      "--thresholds",
      noThresholds,
      "--fail-under",
      "abstentionRecall=1",
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^id\s+result\s+rank\s+ms\s+missed$/m);
    expect(stdout).toMatch(/^c2\s+FAIL\s+\d+\s+\d+\s+.*facts missing: a fact no answer states/m);
    expect(stdout).toMatch(/^c3\s+pass\s+\d+$/m);
    expect(stdout).toMatch(/3 questions \(2 answerable, 1 unanswerable\), extractive answerer, in process/);
    expect(stdout).toContain("thresholds: 1 of 1 met");
    const report = JSON.parse(await readFile(path.join(out, "report.json"), "utf8"));
    expect(report).toMatchObject({
      schemaVersion: 1,
      target: { kind: "in-process", answerer: "extractive" },
      summary: { questions: 3, metrics: { factAccuracy: 0.5 } },
    });
    expect(await readFile(path.join(out, "report.html"), "utf8")).toMatch(/^<!doctype html>/);
    expect(await readFile(path.join(out, "report.md"), "utf8")).toMatch(/^# Evaluation report/);
  });

  it("exits 2 and names the metric, its value and the floor when a threshold is missed", async () => {
    const { code, stderr } = await evaluate(
      "--questions",
      questionsFile,
      "--out",
      path.join(root, "out-missed"),
      "--thresholds",
      noThresholds,
      "--fail-under",
      "factAccuracy=0.8",
      "hitAt1=0.5",
    );
    expect(code).toBe(2);
    expect(stderr).toBe("threshold missed: factAccuracy 0.50 is below the floor 0.80\n");
  });

  it("prints report.json with --json and the deltas against an earlier report with --compare", async () => {
    const out = path.join(root, "out-json");
    const first = await evaluate("--questions", questionsFile, "--out", out, "--thresholds", noThresholds, "--json");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      schemaVersion: 1,
      questions: [{ id: "c1" }, { id: "c2" }, { id: "c3" }],
    });
    const earlier = path.join(root, "earlier.json");
    await writeFile(earlier, first.stdout.replace(/"factAccuracy": 0\.5/, '"factAccuracy": 1'));
    const second = await evaluate(
      "--questions",
      questionsFile,
      "--out",
      out,
      "--thresholds",
      noThresholds,
      "--compare",
      earlier,
    );
    expect(second.stdout).toContain(`compared with ${earlier}`);
    expect(second.stdout).toMatch(/^facts stated\s+1\.00\s+0\.50\s+−0\.50\s+worse$/m);
  });

  it("asks a running server with --url and checks its quotes against the local interview", async () => {
    const out = path.join(root, "out-http");
    const { code, stdout } = await evaluate(
      "--questions",
      questionsFile,
      "--url",
      server.url,
      "--out",
      out,
      "--thresholds",
      noThresholds,
    );
    expect(code).toBe(0);
    expect(stdout).toContain(`server ${server.url}`);
    const report = JSON.parse(await readFile(path.join(out, "report.json"), "utf8"));
    expect(report.target).toEqual({ kind: "http", url: server.url });
    // The fake server quotes "A quote." at offsets 0–8, which is not what the interview holds there.
    expect(report.summary.metrics.citationValidity).toBe(0);
  });

  it("exits 1 after writing the reports when the server fails to answer questions", async () => {
    class Down extends FakeAnswerer {
      override async answer(): Promise<never> {
        throw new UpstreamError("The model is down", true);
      }
    }
    const down = await startApp({ answerer: new Down() });
    try {
      const out = path.join(root, "out-down");
      const { code, stdout, stderr } = await evaluate(
        "--questions",
        questionsFile,
        "--url",
        down.url,
        "--out",
        out,
        "--thresholds",
        noThresholds,
      );
      expect(code).toBe(1);
      expect(stdout).toMatch(
        /^c1\s+ERROR\s+.*answered 502 upstream_error: The language model failed to answer; try again shortly$/m,
      );
      expect(stderr).toBe(
        `error: 3 of 3 questions could not be answered by the server ${down.url}; see ${path.join(out, "report.json")}\n`,
      );
      expect(JSON.parse(await readFile(path.join(out, "report.json"), "utf8")).summary.errors).toBe(3);
    } finally {
      await down.close();
    }
  });

  it("has an LLM judge rate each answer with --judge", async () => {
    const judge = await new FakeOpenAiServer().start();
    judge.chat = {
      reply: JSON.stringify({
        claims: [
          { claim: "x", supported: true },
          { claim: "y", supported: false },
        ],
        relevance: 0.9,
      }),
    };
    try {
      const out = path.join(root, "out-judge");
      const { code, stdout } = await evaluateWith(
        { OPENAI_BASE_URL: judge.baseURL, OPENAI_API_KEY: "", OPENAI_CHAT_MODEL: "judge-model" },
        "--questions",
        questionsFile,
        "--url",
        server.url,
        "--out",
        out,
        "--thresholds",
        noThresholds,
        "--judge",
      );
      expect(code).toBe(0);
      expect(stdout).toMatch(/^judged faithfulness 0\.50 {3}judged relevance 0\.90$/m);
      // The fake server answers every question, so the judge saw all three.
      expect(
        judge.requests
          .filter((request) => request.path.endsWith("/chat/completions"))
          .map((request) => request.body.model),
      ).toEqual(["judge-model", "judge-model", "judge-model"]);
    } finally {
      await judge.stop();
    }
  });

  it("exits 1 for --judge without a model to ask", async () => {
    const outcome = await evaluateWith({ OPENAI_API_KEY: "", OPENAI_BASE_URL: "" }, "--judge");
    expect(outcome).toMatchObject({
      code: 1,
      stderr: "error: --judge needs a model: set OPENAI_API_KEY or OPENAI_BASE_URL\n",
    });
  });

  it.each([
    [
      "a missing question file",
      ["--questions", "/nonexistent/questions.jsonl"],
      /^error: Cannot read question set \/nonexistent\/questions\.jsonl: no such file\n$/,
    ],
    ["an invalid JSON line", ["--questions", "BAD_JSON"], /^error: .*bad\.jsonl:2: not valid JSON/],
    ["an unknown field", ["--questions", "UNKNOWN_FIELD"], /^error: .*unknown\.jsonl:1: unknown field "weight"\n$/],
    [
      "an unreachable --url",
      ["--url", "CLOSED_PORT"],
      /^error: Cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/chat: connection refused \(is the server running\?\)\n$/,
    ],
    ["a --url that is not http", ["--url", "ftp://example.test"], /^error: --url must be an http\(s\) address/],
    [
      "an unknown metric in --fail-under",
      ["--fail-under", "accuracy=0.9"],
      /^error: --fail-under accuracy=0\.9: unknown metric "accuracy"/,
    ],
    ["a bad --k", ["--k", "zero"], /^error: --k must be a positive integer, got "zero"\n$/],
  ])("exits 1 with one clear line for %s", async (_name, args, message) => {
    const bad = path.join(root, "bad.jsonl");
    await writeFile(bad, `${JSON.stringify(questions[0])}\n{"id": "x",\n`);
    const unknown = path.join(root, "unknown.jsonl");
    await writeFile(unknown, `${JSON.stringify({ ...questions[0], weight: 2 })}\n`);
    const closedPort = `http://127.0.0.1:${await freePort()}`;
    const resolved = args.map(
      (arg) => ({ BAD_JSON: bad, UNKNOWN_FIELD: unknown, CLOSED_PORT: closedPort })[arg] ?? arg,
    );
    const { code, stderr } = await evaluate("--out", path.join(root, "out-bad"), ...resolved);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});

/** A port that was free a moment ago and has nothing listening on it now. */
async function freePort(): Promise<number> {
  const probe = await startApp({ answerer: new FakeAnswerer() });
  const port = Number(new URL(probe.url).port);
  await probe.close();
  return port;
}
