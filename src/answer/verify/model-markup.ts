/**
 * How models write what the citation check reads: footnote-style markers, quoted words, notes on
 * what the interview leaves out, and refusals in their own words.
 */

// "^1", "[^1]", "【1】", "(1)" after a word or a full stop: a citation as models write it besides "[1]".
// A "(1)" opening a line is a list item's number, not a marker: only one after a word or a full stop counts.
const footnote =
  /\[\^(\d{1,3})\]|【(\d{1,3})】|\^(\d{1,3})(?!\d)|(?<=[\p{L}\p{N}.,;:!?"”’)])[ \t]?\((\d{1,2})\)(?=[\s.,;:!?]|$)/gu;
/** Where a footnote marker may still be arriving at the end of streamed text. */
export const possibleMarkerStart = /[[^(【]/;

/** The text with footnote-style markers rewritten as `[n]` (only numbers of passages the model was given). */
export function normalizeMarkers(text: string, passages: number): string {
  return text.replace(footnote, (whole, ...groups: Array<string | undefined>) => {
    const n = Number(groups.slice(0, 4).find((group) => group !== undefined));
    if (!(n >= 1 && n <= passages)) return whole;
    return `${/^[ \t]/.test(whole) ? " " : ""}[${n}]`;
  });
}

// Words in quotation marks: “…”, "…", „…“, «…»; three words or more, so a term in quotes ("popera") is not a quote.
const quoted = /[“"„«]([^“”"„«»]{3,400}?)[”"“»]/g;

/** The phrases a claim puts in quotation marks as someone's own words (three words or more). */
export function quotedPhrases(text: string): string[] {
  return [...text.matchAll(quoted)]
    .map((match) => match[1]!.trim())
    .filter((phrase) => phrase.split(/\s+/).length >= 3);
}

/** Text as quotes are compared: one kind of quote mark and apostrophe, single spaces, no case. */
export function comparableText(text: string): string {
  return text
    .replace(/[‘’`]/g, "'")
    .replace(/[“”„«»]/g, '"')
    .replace(/\s+/g, " ")
    .replace(/[.,;:!?]+$/, "")
    .trim()
    .toLowerCase();
}

// "The interview does not say X, but it was around 68 percent": after the turn comes a claim.
const turnToClaim = /[,;—–-]\s*(?:but|however|although|though|yet)\b|\b(?:but|however)\s*,/i;

/** Whether a note on what the interview leaves out goes on to state something after all. */
export function noteTurnsToClaim(note: string): boolean {
  return turnToClaim.test(note);
}

// A refusal in the model's own words: "Sorry, there is no information about that in the passages.",
// "I couldn't find anything on this in the interview.", "The provided excerpts don't cover the turnout."
const refusalWords =
  /\b(?:no (?:information|mention|details?|data|answer)|nothing (?:about|on|regarding)|(?:could|can)(?:n['’]t|not| not) find|(?:does|do|did)(?: not|n['’]t) (?:mention|say|cover|contain|include|provide|specify|address|discuss|state|give|answer)|(?:is|are) not (?:mentioned|covered|stated|given|provided|specified|addressed|discussed)|unable to (?:find|answer))\b/i;
const aboutTheSource =
  /\b(?:interview|passages?|excerpts?|text|sources?|transcript|context|documents?|information provided|provided)\b|^\W*(?:sorry|unfortunately|i\b)/i;

/** Whether an uncited sentence says the interview does not answer, in whatever words. */
export function refusesInOtherWords(sentence: string): boolean {
  return refusalWords.test(sentence) && aboutTheSource.test(sentence) && !noteTurnsToClaim(sentence);
}
