/**
 * Retrieval's tuned constants, each with the measurement that chose it. The answerer has its own
 * (answer/extractive-tuning.ts): tuning one never reorders the other's results.
 */
export const retrievalTuning = {
  /** How deep each ranking is read before fusion; beyond a few dozen, RRF contributions are noise. */
  candidateDepth: 50,
  /** Fused candidates reranked by sentence evidence; the rest keep their fused order behind them. */
  rerankDepth: 8,
  /** A sentence's rank score = this × coverage + the rest × similarity: chosen on the starter set and the project's own set together (hit@1 peaks near 0.3). */
  rankCoverageWeight: 0.3,
  /** A sentence's coverage may count its section header (the interviewer's question) and, after a pronoun, the sentence before, at this share. */
  sectionShare: 0.5,
  /** A follow-up's earlier question weighs this much of the follow-up's own words: it says what the follow-up is about, not what it asks. */
  contextWeight: 0.5,
  /** The names in the reply to the earlier question weigh this little: they say who "he" or what "it" is, in our own wording. */
  replyWeight: 0.1,
} as const;
