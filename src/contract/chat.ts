import { z } from "zod";

/*
 * The HTTP contract of `POST /api/chat` (request, JSON reply, SSE events), written once: the
 * server validates with these schemas and describes them in /openapi.json, the eval client checks
 * replies with them, and the widget imports their inferred types only (`import type`), so zod
 * never enters the browser bundle.
 */

/** The server's limits on a request; the widget keeps its own copy, held equal by the compiler. */
export const limits = { message: 2000, turns: 20, turnLength: 4000 } as const;
export type Limits = typeof limits;

export const chatTurnSchema = z.strictObject({
  role: z.enum(["user", "assistant"]),
  content: z.string().max(limits.turnLength, "must be at most 4,000 characters"),
});

/** The body of `POST /api/chat`. */
export const chatRequestSchema = z.strictObject({
  message: z
    .string()
    .transform((value) => value.trim())
    .pipe(
      z
        .string()
        .min(1, "must not be empty")
        .max(limits.message, "must be at most 2,000 characters")
        // trim() keeps zero-width spaces, joiners and other format characters: a message of only those is empty.
        .refine((value) => /[^\s\p{Cf}]/u.test(value), "must not be empty"),
    )
    .meta({
      description: "The question, 1–2,000 characters after trimming",
      example: "How many deputies will the Mazhilis have?",
    }),
  history: z
    .array(chatTurnSchema)
    .max(limits.turns, "must hold at most 20 turns")
    .default([])
    .meta({ description: "Earlier turns, oldest first, so follow-ups can be resolved" }),
  stream: z.boolean().default(false).meta({ description: "Reply with Server-Sent Events instead of JSON" }),
  sources: z
    .array(z.string().min(1, "must not be empty").max(255))
    .min(1, "must name at least one file")
    .max(20, "must name at most 20 files")
    .optional()
    .meta({
      description: "Limit the question to these files of data/ (file names, e.g. interview.txt); all files when absent",
      example: ["interview.txt"],
    }),
});

const sourceField = z
  .string()
  .meta({ description: "The file within data/ the passage comes from, e.g. interview.txt" });
const chunkIdField = z.string().meta({
  description:
    "The passage within its file: intro, q<N> or q<N>-<part> (e.g. q1-3); the same whatever the number of files, so source and chunkId together name a passage",
});

/** When in the recording a quote is spoken, for sources with timings (subtitles, stamped transcripts). */
export const momentSchema = z
  .object({ start: z.number(), end: z.number() })
  .meta({ description: "Seconds from the start of the recording: where the quoted words begin and end" });

export const citationSchema = z.object({
  n: z.number().int().meta({ description: "The [n] marker in the answer" }),
  source: sourceField,
  chunkId: chunkIdField,
  section: z.string().meta({ description: "The interviewer's question the quote answers, or Introduction" }),
  quote: z.string().meta({ description: "Verbatim: the source file's characters start–end" }),
  start: z.number().int(),
  end: z.number().int(),
  time: momentSchema.optional(),
});

export const contextSchema = z.object({
  source: sourceField,
  chunkId: chunkIdField,
  section: z.string(),
  text: z.string(),
  score: z.number(),
  start: z.number().int(),
  end: z.number().int(),
  time: momentSchema.optional(),
});

export const claimSchema = z.object({
  text: z.string().meta({ description: "A sentence of the answer that states something: answer.slice(start, end)" }),
  start: z.number().int(),
  end: z.number().int(),
  citations: z.array(z.number().int()).meta({ description: "The n of the citations whose quotes are its evidence" }),
  supported: z
    .boolean()
    .meta({ description: "Its numbers and names are in its quotes and its support reaches the calibrated threshold" }),
  support: z.number().meta({ description: "0–1: lexical coverage blended with embedding similarity to its quotes" }),
});

export const answerKindSchema = z.enum(["answer", "no_answer", "smalltalk"]).meta({
  description:
    "answer; no_answer when the interview does not answer; smalltalk for greetings, thanks, 'what can you do'",
});
export const answerModeSchema = z.enum(["extractive", "llm"]);

export const chatResponseSchema = z.object({
  // Optional in the type so answerers' own objects (ask --json, the eval) still fit; the server always sends it.
  id: z
    .string()
    .optional()
    .meta({ description: "This reply's id, always sent by the server: POST /api/feedback rates it" }),
  kind: answerKindSchema,
  answer: z.string(),
  claims: z.array(claimSchema),
  citations: z.array(citationSchema),
  contexts: z.array(contextSchema).meta({ description: "Retrieved passages, best first" }),
  grounded: z.boolean().meta({ description: "True when the answer states something and every claim is supported" }),
  mode: answerModeSchema,
  degraded: z
    .boolean()
    .optional()
    .meta({ description: "True when the LLM failed and the extractive answer stands in" }),
  suggestions: z.array(z.string()).meta({
    description:
      "Questions the interview answers, chosen for the conversation; always some for no_answer and smalltalk",
  }),
});

export const errorSchema = z.object({
  error: z.object({ code: z.string().meta({ description: "Stable, for programs to switch on" }), message: z.string() }),
});

/** A quote backing part of the answer: the source file's characters `start`–`end` are `quote`. */
export type Citation = z.infer<typeof citationSchema>;
/** A retrieved passage, as the HTTP contract shows it. */
export type Context = z.infer<typeof contextSchema>;
/** A sentence of the answer that states something, and whether the quotes it cites back it. */
export type Claim = z.infer<typeof claimSchema>;
export type AnswerKind = z.infer<typeof answerKindSchema>;
export type AnswerMode = z.infer<typeof answerModeSchema>;
export type ChatTurn = z.infer<typeof chatTurnSchema>;
/** The response object of `POST /api/chat` and `npm run ask -- --json`. */
export type ChatResponse = z.infer<typeof chatResponseSchema>;
/** The body of `POST /api/chat` as a client writes it (defaults not yet applied). */
export type ChatRequestBody = z.input<typeof chatRequestSchema>;
/** A question as the answerers take it: the body of `POST /api/chat` without its transport fields. */
export type ChatRequest = Omit<z.input<typeof chatRequestSchema>, "stream">;
export type ErrorBody = z.infer<typeof errorSchema>;

/** The verdict on an answer: the SSE `citations` event's data, and the part of a reply sent after its text. */
export interface Verdict {
  kind: AnswerKind;
  citations: Citation[];
  claims: Claim[];
  grounded: boolean;
  mode: AnswerMode;
  degraded?: boolean;
}

/** What an answer stream yields, in this order: contexts, any number of deltas, citations, suggestions. */
export type AnswerEvent =
  | { type: "contexts"; contexts: Context[] }
  | { type: "delta"; text: string }
  | ({ type: "citations" } & Verdict)
  | { type: "suggestions"; suggestions: string[] };

/** The data of each SSE event of `POST /api/chat`, by event name. */
export interface StreamEventData {
  contexts: { contexts: Context[] };
  delta: { text: string };
  citations: Verdict;
  suggestions: { suggestions: string[] };
  /** `id` names the reply, for `POST /api/feedback`. */
  done: { id?: string };
  error: ErrorBody["error"] & { status: number };
}

/** `degraded` as the wire carries it: only when true (a healthy answer does not mention it). */
export function degradedField(degraded: boolean | undefined): { degraded?: true } {
  return degraded ? { degraded } : {};
}

/** The verdict as it goes on the wire: exactly the contract's fields, whatever else the object carries. */
export function verdictToWire(verdict: Verdict): Verdict {
  const { kind, citations, claims, grounded, mode, degraded } = verdict;
  return { kind, citations, claims, grounded, mode, ...degradedField(degraded) };
}

/**
 * A response as it goes on the wire, built in this one place: the contract's fields in the
 * contract's order (internal extras such as the extractive answerer's evidence are left out),
 * `id` when the server names the reply, `degraded` only when true.
 */
export function toWire(response: ChatResponse, id?: string): ChatResponse {
  const { kind, answer, claims, citations, contexts, grounded, mode, degraded, suggestions } = response;
  return {
    ...(id === undefined ? {} : { id }),
    kind,
    answer,
    claims,
    citations,
    contexts,
    grounded,
    mode,
    ...degradedField(degraded),
    suggestions,
  };
}
