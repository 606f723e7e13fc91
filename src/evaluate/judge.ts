import type OpenAI from "openai";
import { z } from "zod";
import { AppError } from "../errors.js";
import { toUpstreamError } from "../openai-client.js";

/** What the judge says about one answer; null where it could not say. */
export interface Verdict {
  /** Share of the answer's claims that its quotes support (RAGAS faithfulness, against the cited quotes). */
  faithfulness: number | null;
  /** How directly the answer addresses the question, 0–1 (the judge's rating). */
  relevance: number | null;
}

export type JudgeAnswer = (input: { question: string; answer: string; quotes: string[] }) => Promise<Verdict>;

// Kept beside the code rather than in prompts/: it is the evaluator's instrument, not the product's prompt,
// and its only variables are the three sections filled in below.
const instructions = `You grade answers to questions about an interview. You get a QUESTION, an ANSWER and the QUOTES from the interview that the answer cites.
1. Split the ANSWER into short, self-contained factual claims (ignore citation markers like [1]).
2. For each claim, decide whether the QUOTES alone support it. Background knowledge does not count.
3. Rate how directly the ANSWER addresses the QUESTION, from 0 (not at all) to 1 (fully and to the point), whatever its truth.
Reply with JSON only, no prose, in this shape:
{"claims": [{"claim": "...", "supported": true}], "relevance": 0.8}`;

const reply = z.object({
  claims: z.array(z.object({ claim: z.string(), supported: z.boolean() })),
  relevance: z.number().min(0).max(1),
});

/** The judge's reply is not the JSON asked for: that answer goes unjudged, the run goes on. */
export class JudgeReplyError extends AppError {
  constructor(message: string) {
    super("judge_reply_invalid", message, 502);
  }
}

/**
 * An LLM judge in the manner of RAGAS: faithfulness is the share of the answer's claims the cited
 * quotes support; relevance is the model's 0–1 rating of how directly the answer addresses the question
 * (RAGAS derives it from embeddings of questions generated back from the answer; a direct rating needs
 * no embedding model). One chat completion an answer, temperature 0.
 * The returned function throws UpstreamError when the judge cannot be asked (its message says
 * nothing the upstream said: it goes into the reports), and JudgeReplyError for a reply that is
 * not the JSON asked for.
 */
export function createJudge(options: { client: OpenAI; model: string }): JudgeAnswer {
  return async ({ question, answer, quotes }) => {
    const completion = await askJudge(options.client, {
      model: options.model,
      temperature: 0,
      messages: [
        { role: "system", content: instructions },
        {
          role: "user",
          content: `QUESTION:\n${question}\n\nANSWER:\n${answer}\n\nQUOTES:\n${quotes.length ? quotes.map((quote, i) => `[${i + 1}] ${quote}`).join("\n") : "(none)"}`,
        },
      ],
    });
    const verdict = parseVerdict(completion.choices[0]?.message.content ?? "");
    const supported = verdict.claims.filter((claim) => claim.supported).length;
    return {
      faithfulness: verdict.claims.length ? supported / verdict.claims.length : null,
      relevance: verdict.relevance,
    };
  };
}

async function askJudge(
  client: OpenAI,
  body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming,
): Promise<OpenAI.Chat.ChatCompletion> {
  try {
    return await client.chat.completions.create(body);
  } catch (error) {
    throw toUpstreamError(error, client, "The judge");
  }
}

/** The JSON object in a reply, tolerating a code fence or a sentence around it. */
function parseVerdict(text: string): z.infer<typeof reply> {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    throw new JudgeReplyError(`the judge did not reply with JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const parsed = reply.safeParse(value);
  if (!parsed.success)
    throw new JudgeReplyError(`the judge's reply lacks ${parsed.error.issues[0]!.path.join(".") || "the verdict"}`);
  return parsed.data;
}
