import type { ChatResponse } from "./types.js";

// "Which interviews mention drought?", "In which of the interviews …", "What did the ambassadors say
// about sanctions?", "Do any of the interviews talk about …", "Across the interviews, …": a question
// asked of the archive as a whole, answered from each interview that speaks to it.
const plural = String.raw`(?:interviews|interviewees|transcripts|conversations|guests|speakers|ambassadors|ministers|officials|envoys|leaders|experts|politicians|people interviewed)`;
const acrossPhrase = new RegExp(
  String.raw`^\W*(?:(?:in|from|of)\s+)?(?:which|what)\s+(?:(?:of\s+)?(?:the|these|all\s+the)\s+)?${plural}\b` +
    String.raw`|\b(?:do|does|did)\s+(?:any|all|each)\s+(?:of\s+)?(?:the|these)\s+${plural}\b` +
    String.raw`|\b(?:across|among|in\s+all(?:\s+of)?|between)\s+(?:the|these|all\s+the)\s+${plural}\b` +
    String.raw`|\bwhat\s+(?:do|did|does)\s+(?:the|these|all\s+the)\s+${plural}\b` +
    String.raw`|\bwho\s+(?:else\s+)?(?:mentions?|mentioned|talks?\s+about|talked\s+about|discusse[sd]|brings?\s+up|brought\s+up)\b`,
  "i",
);
// What is left of the question once its asking of the archive is taken away, step by step: the topic.
const askingSteps = [
  /^\W*(?:(?:in|from|of)\s+)?(?:which|what|who)\s+(?:else\s+)?/i,
  /^(?:do|does|did|have|has)\s+/i,
  new RegExp(String.raw`^(?:(?:any|all|each|both)\s+)?(?:of\s+)?(?:(?:the|these|all\s+the)\s+)?${plural}\s+`, "i"),
  /^(?:do|does|did|have|has)\s+/i,
  /^(?:someone|anyone|anybody|somebody|people|they)\s+/i,
  /^(?:mention(?:s|ed)?|talk(?:s|ed)?\s+about|speak(?:s)?\s+about|spoke\s+about|sa(?:y|ys|id)\s+about|discuss(?:es|ed)?|bring(?:s)?\s+up|brought\s+up|refer(?:s|red)?\s+to|touch(?:es|ed)?\s+on|deal(?:s|t)?\s+with|cover(?:s|ed)?|address(?:es|ed)?|think\s+(?:about|of))\s+/i,
];

/** True for a question asked across the interviews rather than of one of them. */
export function asksAcrossInterviews(question: string): boolean {
  return acrossPhrase.test(question);
}

/** The topic a cross-interview question asks about: "Which interviews mention drought?" → "drought". */
export function crossTopic(question: string): string {
  const topic = askingSteps.reduce((rest, step) => rest.replace(step, ""), question.trim()).replace(/[?!.\s]+$/, "");
  return topic.length >= 3 ? topic : question;
}

/**
 * One reply from the answers of several interviews, in order: their texts one after the other, each
 * citation and claim renumbered and moved with its text, every passage they cite among the contexts.
 */
export function mergeAnswers(parts: ChatResponse[]): ChatResponse {
  let answer = "";
  const merged: Pick<ChatResponse, "citations" | "claims" | "contexts"> = { citations: [], claims: [], contexts: [] };
  for (const part of parts) {
    const offset = merged.citations.length;
    if (answer) answer += " ";
    const { text, at } = renumber(part.answer, offset);
    const base = answer.length;
    answer += text;
    merged.citations.push(...part.citations.map((citation) => ({ ...citation, n: citation.n + offset })));
    merged.claims.push(
      ...part.claims.map((claim) => ({
        ...claim,
        start: base + at(claim.start),
        end: base + at(claim.end),
        text: answer.slice(base + at(claim.start), base + at(claim.end)),
        citations: claim.citations.map((n) => n + offset),
      })),
    );
    for (const context of part.contexts)
      if (!merged.contexts.some((known) => known.source === context.source && known.chunkId === context.chunkId))
        merged.contexts.push(context);
  }
  return {
    kind: "answer",
    answer,
    ...merged,
    grounded: parts.every((part) => part.grounded),
    mode: parts[0]?.mode ?? "extractive",
    suggestions: [],
  };
}

/** The text with every [n] marker raised by `offset`, and where each old offset lands in it. */
function renumber(text: string, offset: number): { text: string; at: (old: number) => number } {
  const moves: Array<{ from: number; by: number }> = [];
  let delta = 0;
  const renumbered = text.replace(/\[(\d+)\]/g, (marker, n: string, index: number) => {
    const replacement = `[${Number(n) + offset}]`;
    delta += replacement.length - marker.length;
    moves.push({ from: index + marker.length, by: delta });
    return replacement;
  });
  const at = (old: number) => old + (moves.filter((move) => move.from <= old).at(-1)?.by ?? 0);
  return { text: renumbered, at };
}
