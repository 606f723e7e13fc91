/** Base of every error the application expects; `code` is stable for programs to switch on. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The configuration (environment variables, a secret file) is invalid: the process cannot start.
 * Its message names every variable at fault, never a value.
 */
export class ConfigError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("invalid_config", message, 500, options);
  }
}

/** A prompt in prompts/ cannot be read or is not a valid template: found at start-up, not on the first question. */
export class PromptError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("invalid_prompt", message, 500, options);
  }
}

/** The client sent something we cannot answer (HTTP 400). */
export class BadRequestError extends AppError {
  constructor(message: string, code = "bad_request") {
    super(code, message, 400);
  }
}

/** The corpus folder is missing, unreadable or holds no interview. */
export class CorpusError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("corpus_unavailable", message, 503, options);
  }
}

/** A file of the data folder cannot be read as the format its extension names (the others still serve). */
export class FormatError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("format_unreadable", message, 422, options);
  }
}

/** The saved index cannot be used as it is; `reason` says why, for the rebuild log line. */
export class IndexUnusableError extends AppError {
  constructor(
    readonly reason: "missing" | "stale" | "corrupt",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`index_${reason}`, message, 503, options);
  }
}

/** An index cannot be built from what the embedder returned (too few vectors, mixed dimensions). */
export class IndexBuildError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("index_build_failed", message, 500, options);
  }
}

/** The index is only ever built from data/, never added to at run time (LangChain's VectorStore would allow it). */
export class ReadOnlyIndexError extends AppError {
  constructor() {
    super("index_read_only", "The interview index is read-only: add a transcript to data/ and run npm run ingest", 500);
  }
}

/** An upstream model (embeddings or chat) failed. */
export class UpstreamError extends AppError {
  constructor(
    message: string,
    readonly isRetryable: boolean,
    options?: { cause?: unknown; status?: number },
  ) {
    super(options?.status === 504 ? "upstream_timeout" : "upstream_error", message, options?.status ?? 502, options);
  }
}

/**
 * This process has as many questions waiting for the encoder as it may hold (HTTP 503): a quick
 * refusal with `Retry-After` instead of a latency that grows with the queue.
 */
export class OverloadedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("overloaded", message, 503);
  }
}

/**
 * The asker went away while the question waited for its batch; it left the batch unembedded.
 * 499 (nginx's "client closed request"): nobody is left to read it, and it is not a server fault.
 */
export class QueryAbandonedError extends AppError {
  constructor(options?: { cause?: unknown }) {
    super("client_closed_request", "The client went away before its question was embedded", 499, options);
  }
}

/** The thing asked for does not exist (HTTP 404): an unknown response id, say. */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super("not_found", message, 404);
  }
}

/** The insights store could not be opened or is switched off (HTTP 503); answering goes on without it. */
export class InsightsUnavailableError extends AppError {
  constructor() {
    super("insights_unavailable", "Insights are not being recorded on this server", 503);
  }
}

/**
 * A fault of ours: a broken invariant, a bug (HTTP 500). Its message is for the log; clients get a
 * fixed one (describeError), since it may name files and internals.
 */
export class InternalError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("internal_error", message, 500, options);
  }
}
