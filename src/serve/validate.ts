import type { z } from "zod";
import { BadRequestError } from "../errors.js";

/** Parses a body with a zod schema; a mismatch is a 400 naming each offending field. */
export function validate<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
  throw new BadRequestError(problems.slice(0, 5).join("; "), "invalid_request");
}
