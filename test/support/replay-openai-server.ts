import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { Chunk } from "../../src/ingest/chunk-interview.js";
import { projectRoot } from "./corpus.js";
import { LoopbackServer } from "./loopback-server.js";

/** One recorded model answer, its markers naming chunks (`[@q1-3]`) rather than prompt positions. */
export interface RecordedAnswer {
  id: string;
  question: string;
  /** faithful: every sentence true; fabricated: every sentence invented; mixed: some of each; partial: true claims and a note. */
  type: "faithful" | "fabricated" | "mixed" | "partial";
  answer: string;
  /** The invented sentences, as they appear in `answer`. */
  invented: string[];
}

/**
 * How a model places its markers. `before`: "… 98 deputies [1]." (as recorded); `after`:
 * "… 98 deputies. [1]"; `grouped`: every marker of a paragraph at its end, "… deputies. … [1][2]";
 * `list`: adjacent markers as one list, "[1, 2]".
 */
export type MarkerStyle = "before" | "after" | "grouped" | "list";
export const markerStyles: MarkerStyle[] = ["before", "after", "grouped", "list"];

export const recordedAnswersPath = path.join(projectRoot, "test/fixtures/llm-answers.jsonl");

export function readRecordedAnswers(): RecordedAnswer[] {
  return readFileSync(recordedAnswersPath, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RecordedAnswer);
}

const recordedMarkers = /(?:\s*\[@[\w-]+\])+/g;

/** The recorded answer in a marker style, markers still naming chunks. */
export function styleAnswer(answer: string, style: MarkerStyle): string {
  if (style === "before") return answer;
  if (style === "list")
    return answer.replace(
      recordedMarkers,
      (group) => ` [${[...group.matchAll(/@([\w-]+)/g)].map((m) => `@${m[1]}`).join(", ")}]`,
    );
  if (style === "after")
    return answer.replace(
      /((?:\s*\[@[\w-]+\])+)([.!?])/g,
      (_, group: string, stop: string) => `${stop} ${group.trim()}`,
    );
  // Grouped after the paragraph's last cited sentence: a closing note on what the interview leaves out stays bare.
  return answer
    .split(/\n\s*\n/)
    .map((paragraph) => {
      const groups = [...new Set([...paragraph.matchAll(/\[@[\w-]+\]/g)].map((m) => m[0]))];
      if (groups.length === 0) return paragraph;
      const last = /(?:\s*\[@[\w-]+\])+(?=[^[]*$)/.exec(paragraph)!;
      const end = paragraph.slice(last.index + last[0].length);
      const stop = /^[.!?]*/.exec(end)![0];
      const head = paragraph.slice(0, last.index).replace(recordedMarkers, "");
      return `${head}${stop} ${groups.join("")}${end.slice(stop.length)}`;
    })
    .join("\n\n");
}

/** Sentences of a recorded text without its markers, for matching claims to the fixture's labels. */
export function withoutMarkers(text: string): string {
  return text.replace(/\s*\[[@\w\s,-]+\]/g, "").trim();
}

/**
 * An OpenAI-compatible chat server on 127.0.0.1 that replays recorded answers. It reads the
 * prompt it receives as the server under test sends it: the question from its fence, and each
 * numbered passage, identified by its text among `chunks`. A recorded `[@chunk-id]` marker becomes
 * the number that passage has in this prompt, so the recordings survive changes in retrieval
 * order. A cited chunk missing from the prompt becomes a number the prompt does not have, as a
 * model's wrong marker would. Condense requests get the last question back unchanged.
 */
export class ReplayOpenAiServer extends LoopbackServer {
  /** The recorded answer to replay for a question (the test sets it per request). */
  answerFor: (question: string) => string = () => "The interview does not answer that question.";
  style: MarkerStyle = "before";
  readonly prompts: string[] = [];

  constructor(private readonly chunks: Chunk[]) {
    super();
  }

  /** The reply the model gives to a prompt: the recorded answer, styled and numbered for it. */
  reply(user: string): string {
    const question = /<question>\n([\s\S]*?)\n<\/question>/.exec(user)?.[1];
    if (question === undefined) return /Last question: ([\s\S]*?)\n\nStandalone question:/.exec(user)?.[1] ?? "";
    const numbers = new Map<string, number>();
    for (const [index, match] of [
      ...user.matchAll(/^\[(\d+)\] \(answering: .*\)\n"""\n([\s\S]*?)\n"""$/gm),
    ].entries()) {
      const chunk = this.chunks.find((candidate) => candidate.text === match[2]);
      if (chunk) numbers.set(chunk.id, index + 1);
    }
    const absent = numbers.size + 1;
    return styleAnswer(this.answerFor(question), this.style).replace(/@([\w-]+)/g, (_, id: string) =>
      String(numbers.get(id) ?? absent),
    );
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of request) raw += chunk;
    const body = JSON.parse(raw) as { messages: Array<{ role: string; content: string }>; stream?: boolean };
    const user = body.messages.findLast((message) => message.role === "user")?.content ?? "";
    this.prompts.push(user);
    const text = this.reply(user);
    const base = { id: "chatcmpl-replay", created: 0, model: "replay" };
    if (!body.stream) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          ...base,
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        }),
      );
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream" });
    // Token-sized pieces, as a model streams: markers and full stops arrive split across chunks.
    for (const piece of text.match(/.{1,5}/gs) ?? []) {
      response.write(
        `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })}\n\n`,
      );
    }
    response.write(
      `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`,
    );
    response.end("data: [DONE]\n\n");
  }
}
