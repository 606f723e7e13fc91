import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answerer, ChatResponse } from "../src/answer/types.js";
import { projectRoot, scratchProject } from "./support/corpus.js";
import type { ReplayOpenAiServer } from "./support/replay-openai-server.js";
import { replayingAssistant } from "./support/replay-recorded-answers.js";

// Model answers that are wrong the ways models are (eval/probes/model-probes.jsonl, written blind
// by a helper session from the interview and the prompt's rules alone), replayed through the real
// LLM answerer: invented claims must be flagged and the answer not grounded, true answers grounded
// whatever their marker style, and a refusal in other words a no_answer.
interface Probe {
  id: string;
  question: string;
  answer: string;
  passages: string[];
  kind: string;
  invented: string[];
  expect: "grounded" | "not_grounded" | "no_answer";
  note: string;
}

const probes = readFileSync(path.join(projectRoot, "eval/probes/model-probes.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Probe);

/** The probe's answer with each footnote number replaced by the chunk it names, so the replay renumbers it for the prompt. */
function withChunkMarkers(probe: Probe): string {
  const chunkOf = (n: string) => `@${probe.passages[Number(n) - 1] ?? "missing"}`;
  return probe.answer
    .replace(/\[\^(\d+)\]/g, (_, n: string) => `[^${chunkOf(n)}]`)
    .replace(/【(\d+)】/g, (_, n: string) => `【${chunkOf(n)}】`)
    .replace(/\^(\d+)/g, (_, n: string) => `^${chunkOf(n)}`)
    .replace(/\((\d+)\)/g, (_, n: string) => `(${chunkOf(n)})`);
}

let replay: ReplayOpenAiServer;
let answerer: Answerer;
const responses = new Map<string, ChatResponse>();

beforeAll(async () => {
  ({ replay, answerer } = await replayingAssistant(await scratchProject()));
  for (const probe of probes) {
    replay.answerFor = () => withChunkMarkers(probe);
    responses.set(probe.id, await answerer.answer({ message: probe.question, history: [] }));
  }
}, 300_000);
afterAll(() => replay?.stop());

const plain = (text: string) =>
  text
    .replace(/\s*(?:\[[@\w\s,^-]+\]|【[^】]*】|\^@?[\w-]+|\(@[\w-]+\))/g, "")
    .replace(/\s+/g, " ")
    .trim();

// Known misses, each asserted to fail so the day one is fixed the test says so. Measured: 9 of 25 probes
// handled before this round's rules, 18 on their first run (rules written before the probes were read),
// 21 after (the interviewee's names and roles known in every passage of the file).
const knownMisses: Record<string, string> = {
  // Two true facts of the passage joined into one it does not state, after "but": the words are all there.
  p08: "a false link between true facts",
  // "Mazhilis" in the claim, "Mazhlis" in the passage: taking the typo's sentence for the quote also let
  // an invented claim on the same sentence pass (recorded answer d26), so names match exactly in windows.
  p10: "a name spelt one typo away from the quote's",
  // A false claim citing the title or lead shares most of its words with them.
  p24: "a false claim on the lead's words",
  p25: "a false claim on the title's words",
};

describe("wrong model answers, replayed", () => {
  const cases = probes.map((probe) => [probe.id, probe.kind, probe.note, probe] as const);
  it.each(cases.filter(([id]) => !knownMisses[id]))("%s (%s): %s", (_id, _kind, _note, probe) => {
    expectHandled(probe);
  });
  it.fails.each(cases.filter(([id]) => knownMisses[id]))("known miss %s (%s): %s", (_id, _kind, _note, probe) => {
    expectHandled(probe);
  });
});

function expectHandled(probe: Probe): void {
  const response = responses.get(probe.id)!;
  if (probe.expect === "no_answer") {
    expect(response.kind).toBe("no_answer");
    expect(response.claims).toEqual([]);
    return;
  }
  expect(response.kind).toBe("answer");
  expect(response.grounded).toBe(probe.expect === "grounded");
  // Footnote markers are read as markers: none is left in the text.
  expect(response.answer).not.toMatch(/\^\d|【\d|\[\^\d/);
  for (const sentence of probe.invented) {
    const claim = response.claims.find((candidate) => plain(candidate.text).startsWith(plain(sentence).slice(0, 40)));
    expect(claim?.supported, sentence).toBe(false);
  }
  for (const claim of response.claims) {
    const invented = probe.invented.some((sentence) => plain(claim.text).startsWith(plain(sentence).slice(0, 40)));
    if (!invented) expect(claim.supported, claim.text).toBe(true);
  }
}
