import { z } from "zod";
import type { Citation, Claim, Context, AnswerKind } from "./chat.js";

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const tokenCap = z.number().int().min(1, "must be at least 1");

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
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish().meta({
    description:
      "include_usage: true adds a last chunk, before [DONE], whose usage counts the tokens and whose choices are empty",
  }),
  max_tokens: tokenCap.nullish().meta({
    description:
      "Caps the answer's tokens: passed to the model, or the extractive answer is cut at a sentence boundary, to empty when its first sentence is longer (finish_reason length)",
  }),
  max_completion_tokens: tokenCap
    .nullish()
    .meta({ description: "The same as max_tokens (the newer name); the smaller of the two counts" }),
});

export type CompletionRequest = z.infer<typeof completionRequestSchema>;

/** OpenAI's token counts: the model's own in LLM mode, counted with cl100k_base in extractive mode. */
export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** The fields a completion carries beside OpenAI's own: what the answer rests on. */
export interface CompletionExtras {
  kind: AnswerKind;
  citations: Citation[];
  claims: Claim[];
  contexts?: Context[];
  grounded: boolean;
  suggestions?: string[];
  degraded?: boolean;
}
