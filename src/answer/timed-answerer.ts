import type { TimeSpan } from "../ingest/formats/types.js";
import type { AnswerEvent, AnswerOptions, Answerer, ChatRequest, ChatResponse } from "./types.js";

type Moment = { start: number; end: number };
type Located = { source: string; start: number; end: number; time?: Moment };

/**
 * The moment of `[start, end)` in a timed source: from the start of the first timed stretch it
 * overlaps to the end of the last. Undefined when no stretch is timed there.
 */
export function momentOf(times: readonly TimeSpan[], start: number, end: number): Moment | undefined {
  let first: TimeSpan | undefined;
  let last: TimeSpan | undefined;
  for (const span of times) {
    if (span.end <= start || span.start >= Math.max(end, start + 1)) continue;
    first ??= span;
    last = span;
  }
  return first && last ? { start: first.startSeconds, end: Math.max(last.endSeconds, first.startSeconds) } : undefined;
}

/**
 * Gives every citation and context from a timestamped source (subtitles, a stamped transcript) its
 * moment in the recording (`time`), whichever answerer wrote the reply; other sources' are left as they are.
 */
export class TimedAnswerer implements Answerer {
  constructor(
    private readonly inner: Answerer,
    private readonly times: ReadonlyMap<string, readonly TimeSpan[]>,
  ) {}

  get mode() {
    return this.inner.mode;
  }

  async answer(request: ChatRequest, options?: AnswerOptions): Promise<ChatResponse> {
    const response = await this.inner.answer(request, options);
    return { ...response, citations: this.timed(response.citations), contexts: this.timed(response.contexts) };
  }

  async *stream(request: ChatRequest, options?: AnswerOptions): AsyncIterable<AnswerEvent> {
    for await (const event of this.inner.stream(request, options)) {
      if (event.type === "contexts") yield { ...event, contexts: this.timed(event.contexts) };
      else if (event.type === "citations") yield { ...event, citations: this.timed(event.citations) };
      else yield event;
    }
  }

  private timed<T extends Located>(items: T[]): T[] {
    return items.map((item) => {
      const times = this.times.get(item.source);
      const time = times && momentOf(times, item.start, item.end);
      return time ? { ...item, time } : item;
    });
  }
}
