import { z } from "zod";

/** The body of `POST /api/chat` (DESIGN.md, HTTP contract). */
export const chatRequestSchema = z.strictObject({
  message: z
    .string()
    .transform((value) => value.trim())
    .pipe(
      z
        .string()
        .min(1, "must not be empty")
        .max(2000, "must be at most 2,000 characters")
        // trim() keeps zero-width spaces, joiners and other format characters: a message of only those is empty.
        .refine((value) => /[^\s\p{Cf}]/u.test(value), "must not be empty"),
    )
    .meta({ description: "The question, 1–2,000 characters after trimming", example: "How many deputies will the Mazhilis have?" }),
  history: z
    .array(z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string().max(4000, "must be at most 4,000 characters") }))
    .max(20, "must hold at most 20 turns")
    .default([])
    .meta({ description: "Earlier turns, oldest first, so follow-ups can be resolved" }),
  stream: z.boolean().default(false).meta({ description: "Reply with Server-Sent Events instead of JSON" }),
});

export const citationSchema = z.object({
  n: z.number().int().meta({ description: "The [n] marker in the answer" }),
  chunkId: z.string(),
  section: z.string().meta({ description: "The interviewer's question the quote answers" }),
  quote: z.string().meta({ description: "Verbatim: source.slice(start, end)" }),
  start: z.number().int(),
  end: z.number().int(),
});

export const contextSchema = z.object({
  chunkId: z.string(),
  section: z.string(),
  text: z.string(),
  score: z.number(),
  start: z.number().int(),
  end: z.number().int(),
});

export const claimSchema = z.object({
  text: z.string().meta({ description: "A sentence of the answer that states something: answer.slice(start, end)" }),
  start: z.number().int(),
  end: z.number().int(),
  citations: z.array(z.number().int()).meta({ description: "The n of the citations whose quotes are its evidence" }),
  supported: z.boolean().meta({ description: "Its numbers and names are in its quotes and its support reaches the calibrated threshold" }),
  support: z.number().meta({ description: "0–1: lexical coverage blended with embedding similarity to its quotes" }),
});

export const chatResponseSchema = z.object({
  // Optional in the type so answerers' own objects (ask --json, the eval) still fit; the server always sends it.
  id: z.string().optional().meta({ description: "This reply's id, always sent by the server: POST /api/feedback rates it" }),
  kind: z.enum(["answer", "no_answer", "smalltalk"]).meta({ description: "answer; no_answer when the interview does not answer; smalltalk for greetings, thanks, 'what can you do'" }),
  answer: z.string(),
  claims: z.array(claimSchema),
  citations: z.array(citationSchema),
  contexts: z.array(contextSchema).meta({ description: "Retrieved passages, best first" }),
  grounded: z.boolean().meta({ description: "True when the answer states something and every claim is supported" }),
  mode: z.enum(["extractive", "llm"]),
  degraded: z.boolean().optional().meta({ description: "True when the LLM failed and the extractive answer stands in" }),
  suggestions: z.array(z.string()).meta({ description: "Questions the interview answers, chosen for the conversation; always some for no_answer and smalltalk" }),
});

export const errorSchema = z.object({
  error: z.object({ code: z.string().meta({ description: "Stable, for programs to switch on" }), message: z.string() }),
});

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

/** `POST /v1/chat/completions`: the OpenAI shape; unknown OpenAI parameters are accepted and ignored. */
export const completionRequestSchema = z.looseObject({
  model: z.string().optional(),
  messages: z
    .array(
      z.looseObject({
        role: z.enum(["system", "developer", "user", "assistant", "tool"]),
        content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
      }),
    )
    .min(1, "must hold at least one message")
    .max(64, "must hold at most 64 messages"),
  stream: z.boolean().optional(),
});

export type CompletionRequest = z.infer<typeof completionRequestSchema>;
