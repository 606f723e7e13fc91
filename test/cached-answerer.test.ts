import { describe, expect, it } from "vitest";
import { CachedAnswerer } from "../src/answer/cached-answerer.js";
import { collectAnswer, type ChatRequest } from "../src/answer/types.js";
import { FakeAnswerer } from "./support/fake-answerer.js";

class FlakyAnswerer extends FakeAnswerer {
  failures = 1;
  override async answer(request: ChatRequest) {
    if (this.failures-- > 0) throw new Error("flaky");
    return super.answer(request);
  }
}

describe("CachedAnswerer", () => {
  it("answers a repeated question from the cache, ignoring surrounding and repeated spaces", async () => {
    const inner = new FakeAnswerer();
    const cached = new CachedAnswerer(inner, { maxEntries: 10 });
    const first = await cached.answer({ message: "Where is the hub?" });
    expect(await cached.answer({ message: "  Where  is the hub? " })).toEqual(first);
    expect(await collectAnswer(cached.stream({ message: "Where is the hub?" }))).toEqual(first);
    expect(inner.requests).toHaveLength(1);
  });

  it("keeps questions with different histories apart, and evicts the least recently used", async () => {
    const inner = new FakeAnswerer();
    const cached = new CachedAnswerer(inner, { maxEntries: 2 });
    await cached.answer({ message: "And imports?", history: [{ role: "user", content: "Trade?" }] });
    await cached.answer({ message: "And imports?", history: [{ role: "user", content: "Investment?" }] });
    await cached.answer({ message: "Third" });
    await cached.answer({ message: "And imports?", history: [{ role: "user", content: "Trade?" }] });
    expect(inner.requests.map((request) => request.history?.[0]?.content ?? request.message)).toEqual([
      "Trade?",
      "Investment?",
      "Third",
      "Trade?",
    ]);
  });

  it("does not keep a failure", async () => {
    const cached = new CachedAnswerer(new FlakyAnswerer(), { maxEntries: 10 });
    await expect(cached.answer({ message: "Q" })).rejects.toThrow("flaky");
    await expect(cached.answer({ message: "Q" })).resolves.toMatchObject({ grounded: true });
  });
});
