/**
 * The constants that decide whether a claim is supported, in one place, each with the
 * measurement that chose it (recorded model answers in test/fixtures/llm-answers.jsonl; the
 * calibration table is in the README, "How claims are checked").
 */
export const supportTuning = {
  /**
   * Share of the support score from lexical coverage; the rest is embedding similarity. On the
   * recorded answers, of the claims whose numbers and names check out (113 true, 14 invented),
   * the best threshold leaves 2 errors with coverage alone, 2 at 0.9, 3 at 0.6–0.8 and 4 at an
   * equal blend: USE lite rates an on-topic invention ("a transition to a parliamentary
   * republic") nearly as close as a paraphrase. Similarity keeps a small say for paraphrases.
   */
  coverageWeight: 0.9,
  /** Support at or above which a claim whose numbers and names check out is supported (errors are fewest for 0.43–0.44 at weight 0.9). */
  threshold: 0.43,
  /** A quote is at most this many consecutive sentences of one passage. */
  maxQuoteSentences: 3,
  /** Choosing a window: holding the claim's numbers and names outweighs everything else. */
  requiredWeight: 10,
  /** Choosing a window: how much the embedding similarity counts beside lexical coverage. */
  similarityWeightInChoice: 0.5,
  /** Choosing a window: each extra sentence must bring this much more coverage to be worth it. */
  widenPenalty: 0.15,
  /**
   * A name with an idf at or below this is in most passages (the country, the EU): a claim may
   * use it without the cited passage repeating it. ln(1 + 0.5/ (n - 0.5)) ≈ 0.7 is a term in half
   * of the chunks.
   */
  commonNameIdf: 0.7,
} as const;
