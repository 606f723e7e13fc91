import {
  replayAnswer,
  type AnswerEvent,
  type Answerer,
  type ChatRequest,
  type ChatResponse,
} from "../../src/answer/types.js";

/** A hand-written answerer that echoes the question and records what it was asked. */
export class FakeAnswerer implements Answerer {
  readonly mode = "extractive" as const;
  readonly requests: ChatRequest[] = [];

  async answer(request: ChatRequest): Promise<ChatResponse> {
    this.requests.push(request);
    return {
      kind: "answer",
      claims: [],
      suggestions: [],
      answer: `You asked: ${request.message} [1]`,
      citations: [
        { n: 1, source: "interview.txt", chunkId: "q1", section: "A question?", quote: "A quote.", start: 0, end: 8 },
      ],
      contexts: [
        {
          source: "interview.txt",
          chunkId: "q1",
          section: "A question?",
          text: "A quote. More.",
          score: 0.5,
          start: 0,
          end: 14,
        },
      ],
      grounded: true,
      mode: "extractive",
    };
  }

  stream(request: ChatRequest): AsyncIterable<AnswerEvent> {
    return (async function* (answerer: FakeAnswerer) {
      yield* replayAnswer(await answerer.answer(request));
    })(this);
  }
}
