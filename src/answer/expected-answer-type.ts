import { anyOf, words } from "../text/alternatives.js";
import { contentTermRuns, contentTerms, isStopword, normalizeTerm } from "../text/tokenize.js";

// Offices whose holder a "Who is ...?" question asks for by name ("Who is the foreign minister?").
const offices = [
  "minister",
  "president",
  "prime minister",
  "premier",
  "ambassador",
  "envoy",
  "chairman",
  "chairwoman",
  "chair",
  "speaker",
  "secretary",
  "governor",
  "mayor",
  "king",
  "queen",
  "head of state",
  "founder",
  "director",
  "spokesperson",
  "spokesman",
];

const officeWords = new RegExp(words(offices), "i");

// Works with a title, which "Which song ...?" asks for by name.
const works = ["songs?", "tracks?", "albums?", "films?", "movies?", "books?", "novels?", "poems?", "paintings?"];
const workWords = new RegExp(words(works), "i");

const articles = ["the", "a", "an"];
const possessives = ["his", "her", "its", "their"];

// Up to two words between "which" and the noun ("Which Kazakh musicians", "What other EU member
// states"): any words, so no corpus's own adjectives need listing here.
const modifiers = "(?:[\\p{L}-]+\\s+){0,2}";
// Who "Which singer ...?" and "Which singers ...?" ask for.
const person = ["star", "artist", "singer", "musician", "person", "celebrity", "leader", "performer"];
const people = [
  "stars",
  "artists",
  "singers",
  "musicians",
  "people",
  "persons",
  "celebrities",
  "leaders",
  "performers",
];

// Words that end the name of the thing: "the name of the track [that won]", "... [under] which".
const relativeWords = ["that", "which", "who", "whom", "whose", "where", "when"];
const prepositions = ["under", "by", "in", "of", "for", "from", "with", "on", "at"];
const auxiliaries = ["did", "does", "do", "is", "was", "were", "are", "has", "have", "had", "will"];
const nameOf = new RegExp(
  `\\bname\\s+of\\s+(?:${anyOf([...articles, ...possessives, "this", "that"])}\\s+)?` +
    `(.*?)(?=\\s+${anyOf([...relativeWords, ...prepositions, ...auxiliaries])}\\b|[?!,.;:]|$)`,
  "i",
);

/**
 * The thing whose name a question asks for ("What is the name of the track that won ..." →
 * "track", "... of the framework treaty under which ..." → "framework treaty"); null when it asks
 * for no name. A passage that never talks about such a thing cannot name it.
 */
export function thingNamed(question: string): string | null {
  return nameOf.exec(question)?.[1] || null;
}

const cardinals = [
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "fifteen",
  "twenty",
  "thirty",
  "forty",
  "fifty",
  "hundred",
  "thousand",
  "million",
  "billion",
  "dozens?",
];
const fractions = ["half", "third", "quarter"];
const multiples = ["double", "twice"];
const vagueAmounts = ["several", "centuries", "decades?"];
const numberWords = new RegExp(words([...cardinals, ...fractions, ...multiples, ...vagueAmounts]), "i");
const months = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const relativeDays = ["yesterday", "today", "tomorrow"];
const year = "(?:1[89]|20)\\d\\d";
const timeWords = new RegExp(
  `${words([
    ...months,
    ...weekdays,
    ...relativeDays,
    "last (?:year|month|week)",
    "next (?:year|month|week)",
    "ago",
    "since",
    "century",
    "decades?",
    "years?",
  ])}|\\b${year}\\b`,
  "i",
);
const timeUnits = ["years?", "months?", "weeks?", "days?", "hours?", "decades?", "centur(?:y|ies)"];
const durationWords = new RegExp(words([...timeUnits, "time", "overnight", "long", `since ${year}`]), "i");
const weekdayWords = new RegExp(words(weekdays), "i");
// Money as it is written: a currency sign, or an amount in a currency's name or code.
const currencies = [
  "euros?",
  "dollars?",
  "pounds?",
  "francs?",
  "krona",
  "kronor",
  "krone",
  "kroner",
  "yen",
  "yuan",
  "renminbi",
  "rupees?",
  "roubles?",
  "rubles?",
  "tenge",
  "pesos?",
  "zloty",
  "lira",
  "lire",
  "cents?",
  "pence",
  "eur",
  "usd",
  "gbp",
  "chf",
];
const moneyWords = new RegExp(`[$€£¥₸₽₹]|${words(currencies)}`, "i");
// A day of a month: "2 June", "June 2nd", "the 15th of March", "15.03.", "2026-03-15", or a weekday.
const dateWords = new RegExp(
  `\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${words(months)}|${words(months)}\\s+\\d{1,2}(?:st|nd|rd|th)?\\b|\\b\\d{1,2}[./]\\d{1,2}[./]|\\b\\d{4}-\\d{2}-\\d{2}\\b|${words(weekdays)}`,
  "i",
);
// Case-sensitive: "may" is far more often a verb than a month.
const monthNames = new RegExp(words(months.map((month) => month[0]!.toUpperCase() + month.slice(1))), "u");
const shareNouns = ["half", "third", "thirds", "quarter", "fifth", "majority", "minority"];
const shareWords = new RegExp(`\\d\\s?%|\\bper\\s?cent\\b|${words(shareNouns)}`, "i");
// The lookahead reads what a share is of without consuming it, so a second share in the same
// clause ("30% of ... and 70% of ...") is matched too.
const shareOf = new RegExp(`(?:${shareWords.source})\\s+of\\s+(?=([^.;:,!?]*))`, "gi");
const everyShare = new RegExp(shareWords.source, "gi");
// What a share is asked as: "what proportion of ...", "how big a part of ...".
const portions = ["proportion", "share", "portion", "fraction", "part"];
const shareAskedOf = new RegExp(`\\b${anyOf(["percentage", "percent", ...portions])}\\s+of\\s+(.*)`, "i");

/** The words right after "of", up to a stopword or punctuation: "the country's basic law is ..." → [countri, basic, law]. */
function ofWhat(text: string): string[] {
  return (contentTermRuns(text.replace(/^\s*(?:the|a|an)\s+/i, ""))[0] ?? []).map(({ term }) => term);
}

/**
 * Whether a sentence holds a share only of something other than what the question asks a share
 * of: "What percentage of voters approved ...?" and "it changes a third of the Constitution". A
 * share that does not say what it is of ("30% will be directly elected") may be the one asked for.
 */
export function shareOfSomethingElse(question: string, sentence: string): boolean {
  const asked = shareAskedOf.exec(question);
  const wanted = asked ? ofWhat(asked[1]!) : [];
  if (wanted.length === 0) return false;
  const shares = [...sentence.matchAll(everyShare)].length;
  const named = [...sentence.matchAll(shareOf)].map((match) => ofWhat(match[1]!)).filter((terms) => terms.length > 0);
  return (
    named.length > 0 && named.length === shares && named.every((terms) => !terms.some((term) => wanted.includes(term)))
  );
}

// Country names as the runtime's own locale data spells them, plus the short forms people write.
// Built on first use: naming the 676 two-letter region codes takes 21 ms, which a server start need not wait for.
let countryNamesPattern: RegExp | undefined;
const countryNames = () => (countryNamesPattern ??= buildCountryNames());
function buildCountryNames(): RegExp {
  const display = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
  const names = new Set([
    "US",
    "USA",
    "UK",
    "Britain",
    "Great Britain",
    "America",
    "Turkey",
    "Czech Republic",
    "Holland",
  ]);
  for (let first = 65; first <= 90; first++) {
    for (let second = 65; second <= 90; second++) {
      const name = display.of(String.fromCharCode(first, second));
      if (name && !/[&(.]|\b(?:Islands?|SAR|Union|Nations|Eurozone|Pseudo|Outlying|Territor)/.test(name))
        names.add(name);
    }
  }
  return new RegExp(`\\b(?:${[...names].map((name) => name.replace(/[-\s]+/g, "[-\\s]+")).join("|")})\\b`, "g");
}
// A capitalised word inside a sentence (not its first): a name.
const properNamed = /[\p{Ll},;:]\s+\p{Lu}\p{L}+/u;
// Two capitalised words in a row ("Rita Ora"), or a capitalised word after a comma ("..., Acon,").
const personName = /\p{Lu}\p{Ll}+\s+\p{Lu}\p{L}+|,\s*\p{Lu}\p{Ll}+/gu;

/** How many different matches of a global pattern the text holds: a plural question wants a list. */
function distinctMatches(pattern: RegExp, text: string): number {
  return new Set([...text.matchAll(pattern)].map((match) => match[0].replace(/^,\s*/, ""))).size;
}

// "What is X's Y?" and "What is the Y of X?", the whole question: Y is the attribute asked for.
const attributeOfOwner =
  /^\s*what(?:['’]s|\s+is|\s+are|\s+was|\s+were)\s+(?:the\s+)?[\p{L}-]+(?:\s+[\p{L}-]+)?['’]s\s+((?:[\p{L}-]+\s+){0,2}[\p{L}-]+)\s*\?*\s*$/iu;
const attributeOfThing =
  /^\s*what(?:['’]s|\s+is|\s+are|\s+was|\s+were)\s+the\s+((?:[\p{L}-]+\s+)?[\p{L}-]+)\s+of\s+(?:the\s+)?(?:[\p{L}-]+\s+){0,2}[\p{L}-]+\s*\?*\s*$/iu;
const attributeAsked = new RegExp(`${attributeOfOwner.source}|${attributeOfThing.source}`, "iu");
// "Which manufacturer is building …?", "Which company did …?": a kind of thing, named by a noun
// right before the verb; the kinds other types know (countries, people, works) come first. Not
// "What …": "What exactly is 'popera'?" and "What new crop is the farm trying?" name no kind a
// sentence must repeat.
const kindAsked =
  /^\W*which\s+((?:[\p{L}-]+\s+){0,2}?[\p{L}-]+)\s+(?:is|was|are|were|will|would|did|does|do|has|have|had|can|could)\b/iu;

/** The noun naming the kind of thing a "Which X is …?" question asks for, as a term; null for none. */
export function kindNoun(question: string): string | null {
  const phrase = kindAsked.exec(question)?.[1];
  return phrase ? (contentTerms(phrase).at(-1) ?? null) : null;
}

/** The noun naming the attribute a question asks for ("capital", "currency"), as a term; null for none. */
export function attributeNoun(question: string): string | null {
  const phrase = (attributeOfOwner.exec(question) ?? attributeOfThing.exec(question))?.[1];
  return phrase ? (contentTerms(phrase).at(-1) ?? null) : null;
}

/** One kind of answer: how a question asks for it, and how a sentence can give it. */
interface AnswerTypeEntry {
  /** The question's wording that asks for it. */
  asks: RegExp;
  /** Whether a sentence can answer such a question at all. */
  satisfiedBy: (sentence: string) => boolean;
  /**
   * Narrow enough that a sentence holding it is, by that alone, likely the answer (it then needs
   * less evidence). Not an officeholder: the interview names people in most passages ("President
   * Tokayev"), so a name is no evidence that it is the holder of the office asked about.
   */
  specific: boolean;
  /** Whether a sentence answers this very question, beyond being of the type (the office asked about, the share of what). */
  satisfiedFor?: (question: string, sentence: string) => boolean;
  /**
   * A sentence on the topic holds this kind of thing whether or not it is the one asked for (a
   * number on the same subject): such a sentence needs the stricter evidence cut.
   */
  lure?: boolean;
  /** Asks for several things: the answer may run long. */
  list?: boolean;
}

/**
 * Every kind of answer a question can ask for, one entry each; the first whose wording matches
 * wins, so the most specific come first. Adding a kind is adding an entry.
 */
const answerTypes = {
  weekday: {
    asks: /\b(?:what|which)\s+day\s+of\s+the\s+week\b|\bon\s+(?:what|which)\s+(?:week)?day\b/i,
    satisfiedBy: (sentence) => weekdayWords.test(sentence),
    specific: true,
  },
  month: { asks: /\b(?:what|which)\s+month\b/i, satisfiedBy: (sentence) => monthNames.test(sentence), specific: true },
  share: {
    asks: new RegExp(
      `\\b(?:what|which)\\s+${anyOf(["percentage", ...portions])}\\b` +
        `|\\bhow\\s+(?:big|large|much)\\s+(?:a\\s+)?${anyOf(portions)}\\b|\\bby\\s+what\\s+percent`,
      "i",
    ),
    satisfiedBy: (sentence) => shareWords.test(sentence),
    // A share of something else than asked ("a third of the Constitution" for "What percentage of
    // voters ...?") does not answer it at all. Once it needed the general cut instead, and "What
    // percentage of voters approved the constitutional amendments?" reached it (0.676).
    satisfiedFor: (question, sentence) => !shareOfSomethingElse(question, sentence),
    specific: true,
  },
  // "How much will it cost?", "What is the budget?": an amount of money, which a year or a count of
  // jobs is not ("By 2027 every berth will have shore power" answered what shore power costs).
  money: {
    asks: /\bhow\s+much\b[^?]*\b(?:cost|costs|costing|price|priced|pay|paid|paying|spend|spent|spending|worth|charge|charged|fee|budget|invest|invested|investment)\b|\bwhat\s+(?:is|was|will\s+be|are|were)\s+(?:the\s+)?(?:[\p{L}'’-]+\s+){0,3}(?:cost|price|budget|fee)s?\b/iu,
    satisfiedBy: (sentence) => moneyWords.test(sentence),
    specific: true,
  },
  // "On what date …?": a day of a month, which "next year" or a bare year is not.
  date: {
    asks: /\b(?:what|which)\s+(?:exact\s+)?date\b|\bon\s+what\s+day\b/i,
    satisfiedBy: (sentence) => dateWords.test(sentence),
    specific: true,
  },
  // "How long ..." asks for a span of time ("30 years", "centuries"), not just any number.
  duration: { asks: /\bhow\s+long\b/i, satisfiedBy: (sentence) => durationWords.test(sentence), specific: false },
  quantity: {
    asks: /\bhow\s+(?:many|much|old|big|large|far|often)\b|\bwhat\s+(?:number|amount|size)\b|\bpopulation\b/i,
    satisfiedBy: (sentence) => /\d/.test(sentence) || numberWords.test(sentence),
    // "How many staff will work at the consulate?" is not answered by "3,000 Aldmarians": the thing
    // counted must be named near a number, or as "the number of" it.
    satisfiedFor: (question, sentence) => countsThing(question, sentence),
    specific: false,
    // "How many barrels of oil ...", "How much does it cost to ship ...", "How large is the GDP?":
    // the interview has figures on every topic, and its trade figures scored 0.60-0.62 for them.
    lure: true,
  },
  time: {
    asks: /^\s*(?:and\s+)?when\b|\bwhat\s+(?:year|date|day|time)\b|\bwhich\s+(?:year|date|day)\b|\bsince\s+when\b/i,
    satisfiedBy: (sentence) => timeWords.test(sentence),
    specific: false,
  },
  countries: {
    asks: new RegExp(`\\b(?:which|what)\\s+${modifiers}(?:countries|states|nations)\\b`, "iu"),
    satisfiedBy: (sentence) => distinctMatches(countryNames(), sentence) >= 2,
    specific: true,
    list: true,
  },
  country: {
    asks: new RegExp(`\\b(?:which|what)\\s+${modifiers}(?:country|state|nation)\\b`, "iu"),
    satisfiedBy: (sentence) => distinctMatches(countryNames(), sentence) >= 1,
    specific: true,
  },
  people: {
    asks: new RegExp(`\\b(?:which|what)\\s+${modifiers}${anyOf(people)}\\b`, "iu"),
    satisfiedBy: (sentence) => distinctMatches(personName, sentence) >= 2,
    specific: true,
    list: true,
  },
  person: {
    asks: new RegExp(`\\b(?:which|what)\\s+${modifiers}${anyOf(person)}\\b`, "iu"),
    satisfiedBy: (sentence) => distinctMatches(personName, sentence) >= 1,
    specific: true,
  },
  // A title (a song, an album, a film): the sentence must talk about such a work at all, or quote
  // one. Without it "Which song did Imanbek win his Grammy for?" took the sentence about his
  // Grammy (evidence 0.665, the highest of the blind set's abstaining unanswerable questions).
  work: {
    asks: new RegExp(
      `\\b(?:which|what)\\s+${modifiers}${anyOf(works)}\\b` +
        `|\\bname\\s+of\\s+(?:${anyOf([...articles, ...possessives])}\\s+)?${modifiers}${anyOf(works)}\\b`,
      "iu",
    ),
    satisfiedBy: (sentence) => workWords.test(sentence) || /[“"«][^”"»]{2,80}[”"»]/u.test(sentence),
    specific: false,
  },
  officeholder: {
    asks: new RegExp(
      `^\\s*who\\s+(?:is|was|are|were|will\\s+be)\\s+(?:the\\s+)?` +
        `(?:[\\p{L}-]+['’]s\\s+)?(?:[\\p{L}-]+\\s+){0,3}${anyOf(offices)}\\b`,
      "iu",
    ),
    // "Central Asian" looks like a name too: the holder is named beside the office.
    satisfiedBy: (sentence) => officeWords.test(sentence) && distinctMatches(personName, sentence) >= 1,
    // The office asked about, not any office: "President Tokayev" does not say who the foreign
    // minister is (it answered "Who is Kazakhstan's foreign minister?" at evidence 0.62).
    satisfiedFor: (question, sentence) => {
      const asked = new RegExp(officeWords.source, "gi").exec(question)?.[0];
      return !asked || new RegExp(`\\b${asked.replace(/\s+/g, "\\s+")}`, "i").test(sentence);
    },
    specific: false,
  },
  // "What is the capital of France?", "What is Kazakhstan's national currency?": an attribute
  // named by a noun, which a sentence that never uses the noun does not give. Without this both
  // took a sentence on the same country (evidence 0.644 and 0.655), the highest of the questions
  // the interview does not answer, and kept the answer cut above them.
  // A sentence that never names the kind asked for, nor any proper name, cannot say which one it is:
  // "we have ordered 60 new electric locomotives" does not say which manufacturer builds them.
  kind: {
    asks: kindAsked,
    satisfiedBy: () => true,
    satisfiedFor: (question, sentence) => {
      const noun = kindNoun(question);
      return noun === null || contentTerms(sentence).includes(noun) || properNamed.test(sentence);
    },
    specific: false,
  },
  attribute: {
    asks: attributeAsked,
    satisfiedBy: () => true,
    satisfiedFor: (question, sentence) => {
      const noun = attributeNoun(question);
      return noun === null || contentTerms(sentence).includes(noun);
    },
    specific: false,
  },
} satisfies Record<string, AnswerTypeEntry>;

const countedWords = /\bhow\s+many\s+((?:[\p{L}-]+\s+){0,2}[\p{L}-]+)/iu;
const auxiliary = /^(?:does|did|do|is|was|are|were|will|would|has|have|had|can|could|should|may|might)$/i;
// How far from a number the thing it counts may stand: after it, past its modifiers ("4 large scale
// political and economic reforms": 6), or before it ("jobs, around 3,000": 3). "Households can
// receive grants of up to 50,000 dollars" does not count households.
const countedAfter = 6;
const countedBefore = 3;

/**
 * Whether the sentence counts what "How many X" asks about, when it names X at all: a word of X (up
 * to three words after "how many", before the verb: "train drivers", "extra full-time firefighters")
 * near a number, or after "the number of". A sentence that names X only away from its numbers
 * ("Households can receive grants of up to 50,000 dollars") counts something else; one that never
 * names X may say it in other words ("lawmakers" for "deputies") and is left to the evidence cuts.
 * "How much …" is not checked: a mass is measured in units far from its noun ("the volume of
 * traffic … will reach 10 million tons").
 */
export function countsThing(question: string, sentence: string): boolean {
  const phrase = countedWords.exec(question)?.[1]?.split(/\s+/) ?? [];
  const verb = phrase.findIndex((word) => auxiliary.test(word));
  const things = (verb === -1 ? phrase : phrase.slice(0, verb))
    .map((word) => word.toLowerCase())
    .filter((word) => !isStopword(word))
    .map(normalizeTerm);
  if (things.length === 0) return true;
  // A currency sign before a number and a percent sign after it stay on its token: "$400", "21%".
  const tokens = sentence.toLowerCase().match(/[$€£¥₸₽₹]?[\p{L}\p{N}][\p{L}\p{N}'’.,-]*%?/gu) ?? [];
  const terms = tokens.map((token) => normalizeTerm(token.replace(/^[$€£¥₸₽₹]|[.,%]+$/g, "")));
  // A count, not an amount: "400 million dollars in direct grants to farm households" does not
  // count households, nor does "21 percent of households".
  const isCount = (index: number) => {
    const token = tokens[index]!;
    if (!/\d/.test(token) && !numberWords.test(token)) return false;
    if (/^[$€£¥₸₽₹]|%$/.test(token)) return false;
    // "$300 million": the multiplier is part of the amount before it, not a count of its own.
    if (multiplier.test(token) && /\d/.test(tokens[index - 1] ?? "")) return false;
    const after = tokens.slice(index + 1, index + 4).filter((next) => !multiplier.test(next));
    return !(after[0] !== undefined && (moneyWords.test(after[0]) || percentWords.test(after.slice(0, 2).join(" "))));
  };
  const countNear = (from: number, to: number) =>
    tokens.slice(Math.max(0, from), to).some((_, offset) => isCount(Math.max(0, from) + offset));
  if (!terms.some((term) => things.includes(term))) return true;
  return terms.some(
    (term, i) =>
      things.includes(term) &&
      (countNear(i - countedAfter, i) ||
        countNear(i + 1, i + countedBefore + 1) ||
        /\bnumber\s+of\s*$/.test(tokens.slice(Math.max(0, i - 3), i).join(" "))),
  );
}

const multiplier = /^(?:thousand|million|billion|trillion|bn|m)$/;
const percentWords = /^(?:percent|per cent|percentage points?)\b/;

/**
 * What kind of answer a question asks for, read off its wording, so a sentence that is on topic
 * but cannot answer ("the participation of the population" for "What is the population?") is
 * not taken for an answer, and one that holds the kind of thing asked for (a month for "In what
 * month ...", countries for "Which countries ...") is preferred to its neighbours.
 */
export type AnswerType = keyof typeof answerTypes | "any";

const entries = Object.entries(answerTypes) as Array<[keyof typeof answerTypes, AnswerTypeEntry]>;

export function expectedAnswerType(question: string): AnswerType {
  return entries.find(([, entry]) => entry.asks.test(question))?.[0] ?? "any";
}

/** Whether a sentence can answer a question of this type at all (given the question, also whether it gives what this one asks). */
export function satisfiesAnswerType(type: AnswerType, sentence: string, question?: string): boolean {
  if (type === "any") return true;
  const entry: AnswerTypeEntry = answerTypes[type];
  return (
    entry.satisfiedBy(sentence) &&
    (question === undefined || entry.satisfiedFor === undefined || entry.satisfiedFor(question, sentence))
  );
}

/** A type narrow enough that a sentence holding it is, by that alone, likely the answer. */
export function isSpecific(type: AnswerType): boolean {
  return type !== "any" && answerTypes[type].specific;
}

/** A type whose kind of thing a sentence on the topic holds anyway, so it is weak evidence (see `lure`). */
export function isLure(type: AnswerType): boolean {
  return type !== "any" && (answerTypes[type] as AnswerTypeEntry).lure === true;
}

/** A type that asks for several things, whose answer may run long. */
export function isList(type: AnswerType): boolean {
  return type !== "any" && (answerTypes[type] as AnswerTypeEntry).list === true;
}
