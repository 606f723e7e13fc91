import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExtractiveAnswerer } from "../src/answer/extractive-answerer.js";
import {
  otherLanguageReply,
  replyWithSuggestions,
  smallTalkReply,
  suggestionsAsText,
} from "../src/answer/route/small-talk-reply.js";
import type { SmallTalk } from "../src/answer/route/small-talk.js";
import type { ParsedInterview } from "../src/ingest/parse-interview.js";
import { HybridRetriever } from "../src/retrieve/hybrid-retriever.js";
import { openIndex } from "../src/search-index/open-index.js";
import { scratchProject } from "./support/corpus.js";
import { FakeEmbedder } from "./support/fake-embedder.js";
import { collect, serve, tokens } from "./support/openai-client.js";

// /v1/chat/completions offline (the extractive answerer, the default): what a plain OpenAI client
// shows is the content alone, so it must read as whole sentences, and say what it leads up to.

type Extras = { citations: Array<{ n: number }>; suggestions?: string[] };

// A sentence's end: its punctuation, closing quotes or brackets, then any citation markers.
const wholeSentence = /[.!?]["'”’»)\]]*(?:\s*\[\d+(?:,\s*\d+)*\])*$/;
const markers = (text: string) => new Set([...text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1])));

let served: Awaited<ReturnType<typeof serve>>;
let interviews: ParsedInterview[];

beforeAll(async () => {
  const embedder = new FakeEmbedder();
  const opened = await openIndex({ ...(await scratchProject()), embedder });
  const retriever = new HybridRetriever(opened.index, embedder);
  interviews = opened.interviews;
  served = await serve(
    new ExtractiveAnswerer({ retriever, interviews: opened.interviews, chunks: opened.index.chunks }),
  );
});
afterAll(() => served.app.close());

/** The same question as a JSON reply and streamed: its content, finish_reason and extras. */
async function ask(question: string, cap?: number) {
  const request = {
    model: "interview-chat",
    messages: [{ role: "user" as const, content: question }],
    ...(cap === undefined ? {} : { max_tokens: cap }),
  };
  const json = await served.client.chat.completions.create(request);
  const streamed = await collect(await served.client.chat.completions.create({ ...request, stream: true }));
  const last = streamed.chunks.find((chunk) => chunk.choices[0]?.finish_reason) as unknown as Extras;
  return {
    content: json.choices[0]!.message.content!,
    finish: json.choices[0]!.finish_reason,
    extras: json as unknown as Extras,
    streamed: { content: streamed.content, finish: streamed.finish, extras: last },
  };
}

describe("/v1 under max_tokens, offline", () => {
  it("ends on a whole sentence with its markers, finish_reason length, streamed or not", async () => {
    const whole = await ask("Summarize the interview");
    expect(tokens(whole.content)).toBeGreaterThan(30);
    const capped = await ask("Summarize the interview", 30);
    expect(capped.content).toMatch(wholeSentence);
    expect(capped.content).toMatch(/\[1\]\.$/);
    expect(whole.content.startsWith(capped.content)).toBe(true);
    expect(tokens(capped.content)).toBeLessThanOrEqual(30);
    expect(capped.finish).toBe("length");
    // Only the citations whose markers are still in the text.
    expect(capped.extras.citations.map((citation) => citation.n)).toEqual([...markers(capped.content)]);
    expect(capped.streamed.content).toBe(capped.content);
    expect(capped.streamed.finish).toBe("length");
    expect(capped.streamed.extras.citations).toEqual(capped.extras.citations);
  });

  it("sends no part of a sentence when not even the first fits: empty content, finish_reason length", async () => {
    // The first sentence of this answer ("Trade turnover in 2021 amounted to … [1].") is 40 tokens.
    const question = "How much did trade turnover grow in 2021?";
    const whole = await ask(question);
    expect(whole.content).toMatch(/^Trade turnover in 2021 amounted to .* \[1\]\. /);
    const capped = await ask(question, 30);
    for (const reply of [capped, capped.streamed]) {
      expect(reply.content).toBe("");
      expect(reply.finish).toBe("length");
      expect(reply.extras.citations).toEqual([]);
    }
    // A cap the first sentence fits in sends that sentence whole, with its citation.
    const first = whole.content.slice(0, whole.content.indexOf("[1].") + 4);
    const roomier = await ask(question, tokens(first));
    expect(roomier.content).toBe(first);
    expect(roomier.streamed.content).toBe(first);
    expect(roomier.extras.citations.map((citation) => citation.n)).toEqual([1]);
  });

  it("cuts every answer at a sentence's end under any cap, the same streamed or not", async () => {
    for (const question of ["How much did trade turnover grow in 2021?", "hello", "thanks!", "What can you do?"]) {
      const whole = await ask(question);
      for (let cap = 10; cap < tokens(whole.content); cap += 10) {
        const capped = await ask(question, cap);
        expect(capped.finish).toBe("length");
        expect(capped.streamed.finish).toBe("length");
        expect(capped.streamed.content).toBe(capped.content);
        if (capped.content) expect(capped.content).toMatch(wholeSentence);
        expect(tokens(capped.content)).toBeLessThanOrEqual(cap);
      }
    }
  });
});

describe("/v1 small talk", () => {
  // "You could ask:" leads up to suggestions, which an OpenAI client shows only if they are in the text.
  const leadIn = /could ask:/i;

  it("lists the suggestions after its lead-in in the text, streamed or not", async () => {
    for (const question of ["hello", "thanks!", "bye", "What can you do?"]) {
      const reply = await ask(question);
      for (const { content, finish, extras } of [reply, reply.streamed]) {
        expect(finish).toBe("stop");
        expect(content).not.toMatch(/could ask:\s*$/i);
        expect(extras.suggestions?.length).toBeGreaterThan(0);
        const after = content.slice(content.search(leadIn));
        for (const suggestion of extras.suggestions!) expect(after).toContain(suggestion);
      }
    }
  });

  it("never ends on the lead-in, nor leaves it without a suggestion, under any cap", async () => {
    for (const question of ["hello", "thanks!"]) {
      const whole = await ask(question);
      for (let cap = 1; cap <= tokens(whole.content) + 1; cap++) {
        const capped = await ask(question, cap);
        for (const content of [capped.content, capped.streamed.content]) {
          expect(content).not.toMatch(/could ask:\s*$/i);
          const at = content.search(leadIn);
          // A suggestion follows the lead-in, whole: it ends with its question mark.
          if (at >= 0) expect(content.slice(at)).toMatch(/could ask:\s*\S.*\?/is);
        }
      }
    }
  });
});

describe("the lead-in to suggestions", () => {
  const kinds: SmallTalk[] = ["greeting", "thanks", "goodbye", "capabilities", "acknowledgement"];
  const replies = () => [...kinds.map((kind) => smallTalkReply(kind, interviews)), otherLanguageReply(interviews)];

  it("goes when there are no suggestions, leaving whole sentences", () => {
    for (const reply of replies()) {
      expect(replyWithSuggestions(reply, ["Who was interviewed?"])).toBe(reply);
      const alone = replyWithSuggestions(reply, []);
      expect(alone).not.toMatch(/could ask/i);
      expect(alone).toMatch(/[.!?]$/);
    }
  });

  it("is followed by the suggestions as a list, and only a reply that has it", () => {
    for (const reply of replies())
      expect(suggestionsAsText(reply, ["Who was interviewed?", "What is the Middle Corridor?"])).toBe(
        "\n- Who was interviewed?\n- What is the Middle Corridor?",
      );
    expect(suggestionsAsText("Trade grew by 21.4% [1].", ["Who was interviewed?"])).toBe("");
    expect(suggestionsAsText(smallTalkReply("greeting", interviews), [])).toBe("");
  });
});
