import { isStopword } from "../../text/tokenize.js";
import { wordCount } from "./lines.js";
import { isAnswerKey, isInterviewerKey } from "./speaker-tags.js";
import { endsWithQuestionMark, type LaidTurn } from "./turns.js";

// "In any way?", "In what way?", "For how long?": a follow-up this short that opens with a function
// word other than a question word leans on the question before; it stays in that section rather than
// opening one of its own that nothing could be retrieved for ("What about aircraft?" and "Second
// question?" open sections).
const maxFollowUpWords = 4;
const opensWithQuestionWord =
  /^\W*(?:what|who|whom|whose|which|when|where|why|how|is|are|was|were|do|does|did|will|would|can|could|should|has|have|had|and|but)\b/i;
// "Thank you, Prime Minister.", "Marta Quintela, thank you very much.": the interviewer's
// courtesies, wherever in a short turn they come, are no questions.
const courtesy = /\b(?:thank(?:s| you)|good (?:morning|afternoon|evening|day)|hello|welcome)\b/i;
const maxCourtesyWords = 10;

/**
 * The turns that open a section: the interviewer's questions. The interviewer is the side whose turns
 * ask: the turns a layout marks as questions; else a conventional tag ("Q", "Question",
 * "Interviewer"); else the tags whose turns mostly ask (the answering side speaks most, so when every
 * side asks, it is the one that does not count); else, where turns carry no names (dashes, ">>"),
 * the alternate turns that mostly ask. Courtesies and very short follow-ups are not questions.
 */
export function questionTurns(text: string, turns: readonly LaidTurn[]): LaidTurn[] {
  const asking = interviewerTurns(text, turns);
  const questions: LaidTurn[] = [];
  for (const turn of asking) {
    const question = text.slice(turn.contentStart, turn.questionEnd);
    const words = wordCount(question);
    if (!question.includes("?") && words <= maxCourtesyWords && courtesy.test(question)) continue;
    // The host's opening ("Good evening. … Joining me now is …") asks nothing: it is the introduction.
    if (questions.length === 0 && turn.asks === undefined && !question.includes("?") && !hasConventionalTag(turn))
      continue;
    const first = /\p{L}+/u.exec(question)?.[0].toLowerCase() ?? "";
    const leans = words <= maxFollowUpWords && isStopword(first) && !opensWithQuestionWord.test(question);
    if (questions.length > 0 && leans && !startsSection(questions.at(-1)!, turn, turns)) continue;
    questions.push(turn);
  }
  return questions;
}

function hasConventionalTag(turn: LaidTurn): boolean {
  return turn.key !== null && isInterviewerKey(turn.key);
}

/** A short turn opens a section of its own only when it directly follows another question (two asked in a row). */
function startsSection(previous: LaidTurn, turn: LaidTurn, turns: readonly LaidTurn[]): boolean {
  return turns.indexOf(turn) === turns.indexOf(previous) + 1;
}

function interviewerTurns(text: string, turns: readonly LaidTurn[]): LaidTurn[] {
  if (turns.some((turn) => turn.asks !== undefined)) return turns.filter((turn) => turn.asks === true);
  const asks = (turn: LaidTurn) => text.slice(turn.contentStart, turn.questionEnd).includes("?");
  const named = turns.filter((turn) => turn.key !== null);
  if (named.length === 0) return alternateAskers(text, turns);
  if (named.some((turn) => isInterviewerKey(turn.key!))) return named.filter((turn) => isInterviewerKey(turn.key!));
  const sides = new Map<string, { turns: number; asking: number; words: number; first: number }>();
  named.forEach((turn, i) => {
    const side = sides.get(turn.key!) ?? { turns: 0, asking: 0, words: 0, first: i };
    side.turns++;
    if (asks(turn)) side.asking++;
    side.words += wordCount(text.slice(turn.contentStart, turn.end));
    sides.set(turn.key!, side);
  });
  const askers = [...sides].filter(([key, side]) => !isAnswerKey(key) && side.asking / side.turns >= 0.5);
  if (askers.length > 0 && askers.length === sides.size && sides.size >= 2) {
    const answerer = askers.reduce((most, side) => (side[1].words > most[1].words ? side : most));
    askers.splice(askers.indexOf(answerer), 1);
  }
  if (askers.length > 0) {
    const keys = new Set(askers.map(([key]) => key));
    return named.filter((turn) => keys.has(turn.key!));
  }
  // No side mostly asks: the most frequent tag, earliest on ties (the layout of the first interview, "CS:").
  let best: [string, { turns: number; first: number }] | null = null;
  for (const entry of sides)
    if (!isAnswerKey(entry[0]) && (best === null || entry[1].turns > best[1].turns)) best = entry;
  return best ? named.filter((turn) => turn.key === best![0]) : [];
}

/** Unnamed turns (dashes, ">>"): the alternate turns that mostly ask, or, when neither parity does, each turn that asks. */
function alternateAskers(text: string, turns: readonly LaidTurn[]): LaidTurn[] {
  const asks = (turn: LaidTurn) => endsWithQuestionMark(text.slice(turn.contentStart, turn.questionEnd).trimEnd());
  const share = (parity: number) => {
    const ofParity = turns.filter((_, i) => i % 2 === parity);
    return ofParity.length ? ofParity.filter(asks).length / ofParity.length : 0;
  };
  const [even, odd] = [share(0), share(1)];
  if (even >= 0.5 && odd < 0.5) return turns.filter((_, i) => i % 2 === 0);
  if (odd >= 0.5 && even < 0.5) return turns.filter((_, i) => i % 2 === 1);
  return turns.filter(asks);
}
