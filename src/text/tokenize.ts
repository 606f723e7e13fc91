import { stemmer } from "stemmer";

// Function words plus the verbs and nouns that frame a question about an interview without
// naming its subject ("what did the ambassador *say* about ..."). Kept out of evidence scoring.
const stopwords = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being below " +
    "between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each " +
    "few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself " +
    "him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't " +
    "my myself no nor not of off on once only or other ought our ours ourselves out over own same shan't she she'd " +
    "she'll she's should shouldn't so some such than that that's the their theirs them themselves then there " +
    "there's these they they'd they'll they're they've this those through to too under until up very was wasn't we " +
    "we'd we'll we're we've were weren't what what's when when's where where's which while who who's whom why why's " +
    "with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves will shall may might must " +
    "many much tell say said says mention mentioned mentions according interview interviewed ask asked please know " +
    "describe explain give think thinks thought like just also well really kind sort thing things one ones"
  ).split(" "),
);

const wordPattern = /\p{N}+(?:[.,]\p{N}+)*%?|\p{L}+(?:['’]\p{L}+)?/gu;

/** Lower-cased word and number tokens ("28.9", "70%", "co-operation" → "co", "operation"). */
export function words(text: string): string[] {
  return text.toLowerCase().match(wordPattern) ?? [];
}

// Stems by token: the Porter stemmer was the largest share of an answer's CPU after the encoder,
// mostly stemming the same few thousand words again. Emptied when full, so it stays bounded.
const normalized = new Map<string, string>();
const normalizedMax = 50_000;

/** Normalises a token for matching: curly apostrophes and possessives dropped, then stemmed. */
export function normalizeTerm(token: string): string {
  let term = normalized.get(token);
  if (term === undefined) {
    const plain = token.replace(/’/g, "'").replace(/'s$/, "");
    term = /^\p{N}/u.test(plain) ? plain.replace(/%$/, "") : stemmer(plain);
    if (normalized.size >= normalizedMax) normalized.clear();
    normalized.set(token, term);
  }
  return term;
}

export function isStopword(token: string): boolean {
  return stopwords.has(token.replace(/’/g, "'"));
}

/** A content term, and whether its word was capitalised ("Central" in "Central Asian leaders"). */
export interface RunTerm {
  term: string;
  capitalized: boolean;
}

/**
 * The stemmed content terms of a text in runs of adjacent words: a stopword or punctuation other
 * than a hyphen ends a run ("Constitutional Court, and how many does each side get" →
 * [constitut, court], [side, get]; "lower-house members" → [lower, hous, member]).
 */
export function contentTermRuns(text: string): RunTerm[][] {
  const runs: RunTerm[][] = [];
  let run: RunTerm[] = [];
  let end = 0;
  for (const match of text.matchAll(wordPattern)) {
    const token = match[0].toLowerCase();
    const stopword = isStopword(token);
    if (stopword || /[^\s-]/.test(text.slice(end, match.index))) {
      if (run.length) runs.push(run);
      run = [];
    }
    end = match.index + match[0].length;
    const term = stopword ? "" : normalizeTerm(token);
    if (term) run.push({ term, capitalized: /^\p{Lu}/u.test(match[0]) });
  }
  if (run.length) runs.push(run);
  return runs;
}

/** The stemmed content terms of a text, in order, with repeats. */
export function contentTerms(text: string): string[] {
  return words(text)
    .filter((token) => !isStopword(token))
    .map(normalizeTerm)
    .filter((term) => term.length > 0);
}
