import path from "node:path";
import { config as loadDotenv } from "dotenv";
import { z } from "zod";

/** Blank values in `.env` mean "unset", so a copied `.env.example` does not override defaults. */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema.optional());

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const environmentSchema = z
  .object({
    DATA_DIR: optional(z.string()),
    INDEX_DIR: optional(z.string()),
    EMBEDDING_PROVIDER: optional(z.enum(["local", "openai"])),
    OPENAI_API_KEY: optional(z.string()),
    OPENAI_BASE_URL: optional(z.url()),
    OPENAI_EMBEDDING_MODEL: optional(z.string()),
    OPENAI_CHAT_MODEL: optional(z.string()),
    LLM_PROVIDER: optional(z.enum(["auto", "openai", "extractive"])),
    TOP_K: optional(integer(1, 20)),
    QUERY_CACHE_SIZE: optional(integer(0, 1_000_000)),
    PORT: optional(integer(0, 65_535)),
    LOG_LEVEL: optional(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])),
  })
  .superRefine((env, context) => {
    const hasOpenAi = Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
    if (env.EMBEDDING_PROVIDER === "openai" && !hasOpenAi) {
      context.addIssue({
        code: "custom",
        path: ["EMBEDDING_PROVIDER"],
        message: "is 'openai' but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set",
      });
    }
    if (env.LLM_PROVIDER === "openai" && !hasOpenAi) {
      context.addIssue({
        code: "custom",
        path: ["LLM_PROVIDER"],
        message: "is 'openai' but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set",
      });
    }
  });

export interface Config {
  dataDir: string;
  indexDir: string;
  embeddingProvider: "local" | "openai";
  openai: { apiKey?: string; baseURL?: string; embeddingModel: string; chatModel: string };
  /** Which answerer runs: the LLM when OpenAI is configured (unless forced), else extractive. */
  answerer: "openai" | "extractive";
  topK: number;
  queryCacheSize: number;
  port: number;
  logLevel: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Reads and validates the configuration. The only place that touches `process.env`.
 * @param environment defaults to `process.env` after loading `.env` from `cwd`.
 * @throws ConfigError naming every invalid variable.
 */
export function loadConfig(environment?: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  if (!environment) {
    loadDotenv({ path: path.join(cwd, ".env"), quiet: true });
    environment = process.env;
  }
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${lines.join("; ")}`);
  }
  const env = parsed.data;
  const hasOpenAi = Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
  const llm = env.LLM_PROVIDER ?? "auto";
  return {
    dataDir: path.resolve(cwd, env.DATA_DIR ?? "data"),
    indexDir: path.resolve(cwd, env.INDEX_DIR ?? "index"),
    embeddingProvider: env.EMBEDDING_PROVIDER ?? "local",
    openai: {
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      embeddingModel: env.OPENAI_EMBEDDING_MODEL ?? "text-embedding-3-small",
      chatModel: env.OPENAI_CHAT_MODEL ?? "gpt-4o-mini",
    },
    answerer: llm === "extractive" || (llm === "auto" && !hasOpenAi) ? "extractive" : "openai",
    topK: env.TOP_K ?? 4,
    queryCacheSize: env.QUERY_CACHE_SIZE ?? 1000,
    port: env.PORT ?? 3000,
    logLevel: env.LOG_LEVEL ?? "info",
  };
}
