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

  it("gathers every secret for the logs to scrub, the passwords inside REDIS_URL and DATABASE_URL too", () => {
    const config = loadConfig({
      OPENAI_API_KEY: "sk-test",
      SESSION_SECRET: "s".repeat(40),
      API_KEYS: "k1,k2",
      ADMIN_KEYS: "a1",
      REDIS_URL: "redis://:redis%2Fpass@cache:6379",
      DATABASE_URL: "postgres://chat:db-pass@db:5432/chat",
    });
    expect(config.secrets.sort()).toEqual(
      ["a1", "db-pass", "k1", "k2", "redis/pass", "s".repeat(40), "sk-test"].sort(),
    );
    expect(loadConfig({ DATABASE_URL: "postgres://db/chat" }).secrets).toEqual([]);
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
