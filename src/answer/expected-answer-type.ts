/**
 * What kind of answer a question asks for, read off its wording, so a sentence that is on topic
 * but cannot answer ("the participation of the population" for "What is the population?") is
 * not taken for an answer.
 */
export type AnswerType = "quantity" | "time" | "any";

const quantity = /\bhow\s+(?:many|much|long|old|big|large|far|often)\b|\bwhat\s+(?:percentage|proportion|number|amount|size|share\s+of)\b|\bpopulation\b|\bhow\s+many\b/i;
const time = /^\s*(?:and\s+)?when\b|\bwhat\s+(?:year|date|day|month|time)\b|\bwhich\s+(?:year|date|day|month)\b|\bsince\s+when\b/i;

export function expectedAnswerType(question: string): AnswerType {
  if (time.test(question)) return "time";
  if (quantity.test(question)) return "quantity";
  return "any";
}

const numberWords =
  /\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozens?|half|third|quarter|double|twice|several|centuries|decades?)\b/i;
const timeWords =
  /\b(?:january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|last\s+(?:year|month|week)|next\s+(?:year|month|week)|ago|since|century|decades?|years?)\b|\b(?:1[89]|20)\d\d\b/i;

/** Whether a sentence can answer a question of this type at all. */
export function satisfiesAnswerType(type: AnswerType, sentence: string): boolean {
  if (type === "quantity") return /\d/.test(sentence) || numberWords.test(sentence);
  if (type === "time") return timeWords.test(sentence);
  return true;
}
