import { words } from "../../text/alternatives.js";

// franc's trigram models take 19 ms to load, in every process at start; most questions are told
// English without them, so they load when a message first needs them.
let detector: Promise<typeof import("franc-min")> | undefined;
async function franc(text: string, minLength: number): Promise<string> {
  return (await (detector ??= import("franc-min"))).franc(text, { minLength });
}

// English function words: a message with one is English enough, whatever the detector says of a
// short question full of names ("Who is Imanbek?" reads as Bosnian to franc).
const articles = ["the", "a", "an"];
const auxiliaries = ["is", "are", "was", "were", "does", "do", "did", "will", "can"];
const questionWords = ["who", "what", "when", "where", "which", "why", "how"];
const prepositions = ["of", "in", "on", "to", "about", "with", "for"];
const pronouns = ["it", "he", "she", "they", "his", "her", "their"];
const englishWords = new RegExp(
  words([...articles, ...auxiliaries, ...questionWords, ...prepositions, "and", ...pronouns]),
  "i",
);

/**
 * The language of a message that is not English (an ISO 639-3 code such as "deu" or "rus"), or
 * null for English and for what cannot be told. Letters of another script decide at once. Latin
 * text needs franc's verdict, no English function word, and most of its lower-case words unknown
 * to `known` (the interview's vocabulary): keyword queries ("Tokayev reforms pace") fool franc.
 */
export async function foreignLanguage(
  message: string,
  known: (word: string) => boolean = () => false,
): Promise<string | null> {
  const letters = message.match(/\p{L}/gu) ?? [];
  if (letters.length < 3) return null;
  const latin = letters.filter((letter) => /\p{Script=Latin}/u.test(letter)).length;
  if (latin / letters.length < 0.5) {
    const detected = await franc(message, 3);
    return detected === "und" ? "und" : detected;
  }
  if (englishWords.test(message)) return null;
  // Words that are not names: lower-case ones, and the first word of the message.
  const opening = message.replace(/^[^\p{L}]*(\p{Lu})/u, (_, letter: string) => letter.toLowerCase());
  const plainWords = opening.match(/(?<![\p{L}])\p{Ll}[\p{Ll}'’]*/gu) ?? [];
  if (plainWords.length < 2 || plainWords.filter(known).length / plainWords.length >= 0.5) return null;
  const detected = await franc(message, 10);
  return detected === "und" || detected === "eng" || detected === "sco" ? null : detected;
}
