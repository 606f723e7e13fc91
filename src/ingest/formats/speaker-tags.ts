// The same shape of tag that the text parser (src/ingest/parse-interview.ts) reads at a line's
// start: a short capitalised name and a colon, "Q:", "Interviewer:", "Margulan Baimukhan:".
const lineTag = /^[ \t]*([\p{Lu}][\p{L}.'’-]*(?:[ \t]+[\p{Lu}][\p{L}.'’-]*){0,2})[ \t]*:(?:[ \t]+\S|[ \t]*$)/gmu;
const conventionalTags = /^(?:q|question|a|answer|interviewer|int)$/i;
// Labels that repeat in articles without being anyone's turn ("Photo: …" under each picture).
const labels =
  /^(?:photo|photos|image|picture|source|credit|credits|caption|note|update|editor['’]s note|tags|read more)$/i;

/**
 * True when the text marks its speakers itself: a conventional tag ("Q:", "Interviewer:") opens a
 * line, or some other tag opens two or more. Then a format leaves `turns` out and the text parser
 * finds the tags; one "Washington:" dateline is no layout of speakers.
 */
export function hasSpeakerTags(text: string): boolean {
  const seen = new Set<string>();
  for (const match of text.matchAll(lineTag)) {
    const tag = match[1]!;
    if (labels.test(tag)) continue;
    if (conventionalTags.test(tag) || seen.has(tag)) return true;
    seen.add(tag);
  }
  return false;
}
