import pino, { type DestinationStream, type Logger } from "pino";
import { scrubSecrets } from "./scrub-secrets.js";

/**
 * Structured JSON logs. CLIs log to stderr so stdout stays the answer (and valid JSON with --json).
 * Authorization headers and keys are redacted wherever they appear; every line is also scrubbed of
 * `secrets` (the configured keys) and of anything shaped like a key, since an error from an
 * upstream may quote one.
 */
export function createLogger(
  level: string,
  destination: 1 | 2 | DestinationStream = 1,
  secrets: ReadonlyArray<string | undefined> = [],
): Logger {
  return pino(
    {
      level,
      redact: { paths: ["req.headers.authorization", "*.apiKey", "apiKey"], censor: "[redacted]" },
      hooks: { streamWrite: (line) => scrubSecrets(line, secrets) },
    },
    typeof destination === "number" ? pino.destination(destination) : destination,
  );
}
