import type { EvalCandidate } from "./store.js";

/**
 * The unanswered and thumbs-down questions as a question-set draft (JSONL, the format of
 * eval/questions.jsonl): each line `"draft": true` with `answerable`, `evidence` and `facts` left
 * for a person to fill, so `npm run eval` refuses the file until every line is decided.
 * A question both unanswered and disliked is written once.
 */
export function evalDraft(candidates: EvalCandidate[], prefix = "reader"): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const candidate of candidates) {
    const key = candidate.question.trim().toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const note =
      candidate.reason === "unanswered"
        ? `unanswered, asked ${candidate.count}×`
        : `thumbs down${candidate.comment ? `: ${candidate.comment}` : ""}`;
    lines.push(
      JSON.stringify({
        id: `${prefix}-${lines.length + 1}`,
        question: candidate.question.trim(),
        draft: true,
        note,
        answerable: null,
        evidence: [],
        facts: [],
      }),
    );
  }
  return lines.map((line) => `${line}\n`).join("");
}
