import { LRUCache } from "lru-cache";
import {
  replayAnswer,
  type AnswerEvent,
  type AnswerOptions,
  type Answerer,
  type ChatRequest,
  type ChatResponse,
} from "./types.js";

/**
 * Remembers the answers of a deterministic answerer (the extractive one) in a bounded LRU, so a
 * repeated question — the suggestion chips of the widget, say — costs a lookup. Concurrent
 * requests for the same question share one computation; failures are not kept.
 */
export class CachedAnswerer implements Answerer {
  readonly mode;
  /** Each answer with the standalone question it was found for, so a repeat reports it too. */
  private readonly cache: LRUCache<string, Promise<{ response: ChatResponse; standalone?: string }>>;

  constructor(
    private readonly inner: Answerer,
    options: { maxEntries: number },
  ) {
    this.mode = inner.mode;
    this.cache = new LRUCache({ max: Math.max(options.maxEntries, 1) });
  }

  answer(request: ChatRequest, options?: AnswerOptions): Promise<ChatResponse> {
    // The files asked about are part of the question: the same words over another file are another answer.
    const key = JSON.stringify([
      normalize(request.message),
      (request.history ?? []).map((turn) => [turn.role, normalize(turn.content)]),
      [...(request.sources ?? [])].sort(),
    ]);
    let entry = this.cache.get(key);
    if (!entry) {
      let standalone: string | undefined;
      const pending = this.inner
        .answer(request, { ...options, onStandalone: (question) => (standalone = question) })
        .then((response) => ({ response, standalone }));
      this.cache.set(key, pending);
      pending.catch(() => this.cache.delete(key));
      entry = pending;
    }
    return entry.then(({ response, standalone }) => {
      if (standalone) options?.onStandalone?.(standalone);
      return response;
    });
  }

  stream(request: ChatRequest, options?: AnswerOptions): AsyncIterable<AnswerEvent> {
    return (async function* (answerer: CachedAnswerer) {
      yield* replayAnswer(await answerer.answer(request, options));
    })(this);
  }
}

function normalize(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}
