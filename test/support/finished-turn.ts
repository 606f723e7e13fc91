import type { FinishedTurn } from "../../src/insights/insights.js";

/** A grounded extractive turn, as the chat route hands it to the insights; a test overrides what it is about. */
export function finishedTurn(id: string, overrides: Partial<FinishedTurn> = {}): FinishedTurn {
  return {
    id,
    question: "Q?",
    kind: "answer",
    grounded: true,
    mode: "extractive",
    citations: [],
    answer: "",
    latencyMs: 1,
    clientAddress: "x",
    ...overrides,
  };
}
