import pino, { type Logger } from "pino";

/**
 * Structured JSON logs. CLIs log to stderr so stdout stays the answer (and valid JSON with --json).
 * Authorization headers and keys are redacted wherever they appear.
 */
export function createLogger(level: string, destination: 1 | 2 = 1): Logger {
  return pino(
    { level, redact: { paths: ["req.headers.authorization", "*.apiKey", "apiKey"], censor: "[redacted]" } },
    pino.destination(destination),
  );
}
