import { availableParallelism } from "node:os";
import path from "node:path";
import { config as loadDotenv } from "dotenv";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import type { StoreTarget } from "./insights/store.js";

/**
 * Defaults that more than one stage needs, set here once. `topK`: the passages an answer is drawn
 * from (4: the evidence is within the first three passages for 1.00 of the project set's answerable
 * questions and 0.99 of the blind set's, so a fourth is margin, and the LLM's prompt stays short).
 */
export const defaults = { topK: 4 } as const;

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
    LLM_TIMEOUT_MS: optional(integer(100, 600_000)),
    LLM_IDLE_TIMEOUT_MS: optional(integer(100, 600_000)),
    LLM_MAX_RETRIES: optional(integer(0, 10)),
    LLM_ON_FAILURE: optional(z.enum(["degrade", "error"])),
    LLM_UNSUPPORTED: optional(z.enum(["flag", "drop"])),
    LLM_MAX_TOKENS: optional(integer(16, 16_000)),
    PROMPTS_DIR: optional(z.string()),
    RATE_LIMIT_PER_MINUTE: optional(integer(0, 1_000_000)),
    ALLOWED_ORIGINS: optional(z.string()),
    API_KEYS: optional(z.string()),
    EVAL_API_KEY: optional(z.string()),
    TRUST_PROXY: optional(z.string()),
    TOP_K: optional(integer(1, 20)),
    PUBLIC_URL: optional(z.url({ protocol: /^https?$/ })),
    SESSION_SECRET: optional(z.string().min(32, "must be at least 32 characters")),
    SESSION_TTL_SECONDS: optional(integer(30, 86_400)),
    SESSION_QUOTA: optional(integer(0, 1_000_000)),
    REDIS_URL: optional(z.url({ protocol: /^rediss?$/ })),
    QUERY_CACHE_SIZE: optional(integer(0, 1_000_000)),
    ANSWER_CACHE_SIZE: optional(integer(0, 1_000_000)),
    EMBED_MAX_BATCH: optional(integer(1, 64)),
    EMBED_MAX_WAIT_MS: optional(integer(0, 100)),
    MAX_QUEUED_QUESTIONS: optional(integer(1, 100_000)),
    PORT: optional(integer(0, 65_535)),
    WEB_CONCURRENCY: optional(integer(1, 256)),
    INSIGHTS: optional(z.enum(["on", "off"])),
    INSIGHTS_DB: optional(z.string()),
    DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" })),
    INSIGHTS_STORE_ANSWERS: optional(z.enum(["on", "off"])),
    INSIGHTS_RETENTION_DAYS: optional(integer(1, 3650)),
    ADMIN_KEYS: optional(z.string()),
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
  openai: {
    apiKey?: string;
    baseURL?: string;
    embeddingModel: string;
    chatModel: string;
    timeoutMs: number;
    maxRetries: number;
    maxTokens: number;
    idleTimeoutMs: number;
  };
  /** Which answerer runs: the LLM when OpenAI is configured (unless forced), else extractive. */
  answerer: "openai" | "extractive";
  /** What an LLM failure becomes: the extractive answer marked degraded, or a 502/504. */
  onLlmFailure: "degrade" | "error";
  /** What becomes of an LLM answer's claim its quotes do not back: marked, or left out. */
  llmUnsupported: "flag" | "drop";
  promptsDir: string;
  /** Requests per minute per client on the API; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Origins whose pages may call the API from a browser (the widget's hosts). */
  allowedOrigins: string[];
  /** Bearer keys for non-browser clients; empty means no key is required. */
  apiKeys: string[];
  /** Sent as a bearer token by `npm run eval -- --url` to a server that requires one of its API_KEYS. */
  evalApiKey: string | undefined;
  /** Express "trust proxy" setting, so rate limits see the client behind a reverse proxy. */
  trustProxy: string | number | boolean;
  topK: number;
  /** The server's public origin; its pages (the demo page) get session tokens. Unset: the address the connection arrived on. */
  publicUrl: string | undefined;
  /** The widget's session tokens: signing key (else the one kept in `secretFile`), lifetime, questions per token. */
  session: { secret: string | undefined; secretFile: string; ttlSeconds: number; quota: number };
  /** Redis that every replica counts rate limits in; unset, the limits are per server (shared by its workers). */
  redisUrl: string | undefined;
  queryCacheSize: number;
  /** Extractive answers kept for repeated questions (0 disables). */
  answerCacheSize: number;
  /** Micro-batching of concurrent query embeddings in a process (`BatchingQueryEmbeddings`). */
  queryBatching: { maxBatch: number; maxWaitMs: number; maxQueued: number };
  port: number;
  /** HTTP worker processes (one per core by default); 1 serves from the main process. */
  workers: number;
  logLevel: string;
  /** The record of turns and feedback (src/insights/): undefined with INSIGHTS=off. */
  insights: { store: StoreTarget; storeAnswers: boolean; retentionDays: number } | undefined;
  /** Bearer keys that may read `GET /api/insights`; empty means nobody may. */
  adminKeys: string[];
  /** Every secret above (keys, the session secret, the passwords in REDIS_URL and DATABASE_URL), for the logs to scrub. */
  secrets: string[];
}

// Defined with the other errors (src/errors.ts), under AppError; exported here too, where it is thrown.
export { ConfigError };

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
      // The whole answer's deadline, condensing and retries included (src/answer/llm/upstream-deadline.ts).
      timeoutMs: env.LLM_TIMEOUT_MS ?? 30_000,
      // The longest silence in the middle of a streamed answer.
      idleTimeoutMs: env.LLM_IDLE_TIMEOUT_MS ?? 15_000,
      maxRetries: env.LLM_MAX_RETRIES ?? 2,
      maxTokens: env.LLM_MAX_TOKENS ?? 600,
    },
    llmUnsupported: env.LLM_UNSUPPORTED ?? "flag",
    onLlmFailure: env.LLM_ON_FAILURE ?? "degrade",
    promptsDir: path.resolve(cwd, env.PROMPTS_DIR ?? "prompts"),
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE ?? 60,
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    apiKeys: list(env.API_KEYS),
    evalApiKey: env.EVAL_API_KEY || undefined,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    answerer: llm === "extractive" || (llm === "auto" && !hasOpenAi) ? "extractive" : "openai",
    topK: env.TOP_K ?? defaults.topK,
    queryCacheSize: env.QUERY_CACHE_SIZE ?? 1000,
    answerCacheSize: env.ANSWER_CACHE_SIZE ?? 1000,
    publicUrl: env.PUBLIC_URL ? new URL(env.PUBLIC_URL).origin : undefined,
    session: {
      secret: env.SESSION_SECRET,
      secretFile: path.resolve(cwd, "var/session-secret"),
      ttlSeconds: env.SESSION_TTL_SECONDS ?? 600,
      quota: env.SESSION_QUOTA ?? 30,
    },
    redisUrl: env.REDIS_URL,
    queryBatching: {
      maxBatch: env.EMBED_MAX_BATCH ?? 16,
      maxWaitMs: env.EMBED_MAX_WAIT_MS ?? 0,
      maxQueued: env.MAX_QUEUED_QUESTIONS ?? 64,
    },
    port: env.PORT ?? 3000,
    workers: env.WEB_CONCURRENCY ?? availableParallelism(),
    logLevel: env.LOG_LEVEL ?? "info",
    insights:
      env.INSIGHTS === "off"
        ? undefined
        : {
            // PostgreSQL when DATABASE_URL is set (replicas share it), else a SQLite file of this machine's.
            store: env.DATABASE_URL
              ? { databaseUrl: env.DATABASE_URL }
              : { file: path.resolve(cwd, env.INSIGHTS_DB ?? "var/insights.sqlite") },
            storeAnswers: env.INSIGHTS_STORE_ANSWERS === "on",
            retentionDays: env.INSIGHTS_RETENTION_DAYS ?? 30,
          },
    adminKeys: list(env.ADMIN_KEYS),
    secrets: [
      env.OPENAI_API_KEY,
      env.SESSION_SECRET,
      ...list(env.API_KEYS),
      ...list(env.ADMIN_KEYS),
      ...[env.REDIS_URL, env.DATABASE_URL].map((url) => url && decodeURIComponent(new URL(url).password)),
    ].filter((secret): secret is string => Boolean(secret)),
  };
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function parseTrustProxy(value: string | undefined): string | number | boolean {
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}
