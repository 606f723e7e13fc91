import { z } from "zod";

/** The body of `POST /api/chat` (DESIGN.md, HTTP contract). */
export const chatRequestSchema = z.strictObject({
  message: z
    .string()
    .transform((value) => value.trim())
    .pipe(z.string().min(1, "must not be empty").max(2000, "must be at most 2,000 characters")),
  history: z
    .array(z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string().max(4000, "must be at most 4,000 characters") }))
    .max(20, "must hold at most 20 turns")
    .default([]),
  stream: z.boolean().default(false),
});

export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
