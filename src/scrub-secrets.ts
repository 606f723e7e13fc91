/**
 * Removes secrets from text bound for a log line: the configured keys themselves, API-key-shaped
 * strings (`sk-…`), bearer/basic credentials, and the values of `authorization=`, `api_key:` and
 * the like. Upstream servers echo keys in their error bodies ("Incorrect API key provided: sk-…"),
 * so anything an upstream says is scrubbed before it is logged, and every log line is scrubbed
 * again on its way out (`createLogger`).
 */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let scrubbed = text;
  // Known secrets first and longest first, so one key that contains another is removed whole.
  const known = secrets
    .filter((secret): secret is string => typeof secret === "string" && secret.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of known) {
    scrubbed = scrubbed.replaceAll(secret, "[redacted]");
    // As it appears inside a JSON string (a log line), in case it holds characters JSON escapes.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) scrubbed = scrubbed.replaceAll(escaped, "[redacted]");
  }
  return scrubbed
    .replace(/\bsk-[A-Za-z0-9_-]{6,}/g, "sk-[redacted]")
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, "$1 [redacted]")
    .replace(
      /\b(authorization|proxy-authorization|api[_-]?key|x-api-key|access[_-]?token|secret|password)(\\?["']?\s*[:=]\s*\\?["']?)(?!\[redacted\]|Bearer\b|Basic\b)[^\s"',;&\\]+/gi,
      "$1$2[redacted]",
    );
}
