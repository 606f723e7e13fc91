import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("defaults to the local embedder and the extractive answerer without a key", () => {
    const config = loadConfig({}, "/srv/app");
    expect(config).toMatchObject({
      embeddingProvider: "local",
      answerer: "extractive",
      dataDir: "/srv/app/data",
      indexDir: "/srv/app/index",
      port: 3000,
    });
  });

  it("answers with the LLM once a key or base URL is set, unless forced extractive", () => {
    expect(loadConfig({ OPENAI_API_KEY: "sk-test" }).answerer).toBe("openai");
    expect(loadConfig({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" }).answerer).toBe("openai");
    expect(loadConfig({ OPENAI_API_KEY: "sk-test", LLM_PROVIDER: "extractive" }).answerer).toBe("extractive");
  });

  it("treats blank values as unset", () => {
    expect(loadConfig({ PORT: "", EMBEDDING_PROVIDER: " " })).toMatchObject({ port: 3000, embeddingProvider: "local" });
  });

  it("fails fast naming the variable that is wrong", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ EMBEDDING_PROVIDER: "cohere" })).toThrow(/EMBEDDING_PROVIDER/);
    expect(() => loadConfig({ EMBEDDING_PROVIDER: "openai" })).toThrow(
      /EMBEDDING_PROVIDER: is 'openai' but neither OPENAI_API_KEY nor OPENAI_BASE_URL/,
    );
    expect(() => loadConfig({ OPENAI_BASE_URL: "not a url" })).toThrow(/OPENAI_BASE_URL/);
  });
});
