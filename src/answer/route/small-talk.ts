import { anyOf } from "../../text/alternatives.js";

/** What a message that is not a question about the interview is doing. */
export type SmallTalk = "greeting" | "thanks" | "goodbye" | "capabilities" | "acknowledgement";

const salutations = [
  "hi",
  "hello",
  "hey",
  "hiya",
  "howdy",
  "greetings",
  "yo",
  "hallo",
  "salut",
  "hola",
  `good ${anyOf(["morning", "afternoon", "evening", "day"])}`,
];
// Who a greeting may be addressed to: "hi there", "hello bot".
const addressees = ["there", "again", "all", "everyone", "bot", "assistant", "friend"];
const howAreYous = ["how are you(?: doing)?(?: today)?", "how's it going", "what's up", "sup"];
const greeting = `${anyOf(salutations)}(?:\\s+${anyOf(addressees)})?(?:[\\s,]+${anyOf(howAreYous)})?`;

// Words that may open a thanks or a goodbye: "ok thanks", "great, thank you".
const approvals = ["ok(?:ay)?", "great", "cool", "perfect", "nice", "awesome", "wonderful"];
const thankYous = [
  `thanks?(?: ${anyOf(["you", "a lot", "so much", "very much"])})*`,
  "thank you(?: (?:so|very) much)?",
  "thx",
  "ty",
  "cheers",
  "much appreciated",
];
// "thanks, that was really helpful".
const praiseWords = ["helpful", "useful", "great", "interesting", "clear"];
const praise = `(?:that|this|it)\\s+(?:was|is)\\s+(?:very\\s+|really\\s+|so\\s+)?${anyOf(praiseWords)}`;

const farewells = [
  "bye(?:\\s*bye)?",
  "goodbye",
  "good\\s*bye",
  "see (?:you|ya)(?: later)?",
  "later",
  "farewell",
  "have a (?:good|nice|great) (?:day|one|evening)",
  "good night",
];

// What can you "do", "ask", "tell me about" ...
const capabilityVerbs = ["do", "ask(?: you)?", "know", "tell me(?: about)?", "help (?:me )?with"];
const capabilityQuestions = [
  "help",
  "help me",
  "menu",
  "start",
  `what (?:can|do|should|could) (?:you|i) ${anyOf(capabilityVerbs)}`,
  "what are you",
  "who are you",
  "what is this(?: (?:chat|bot|thing|tool))?",
  "how (?:does this work|do (?:i|you) (?:use (?:this|you)|work))",
  "what (?:kind of )?questions can i ask(?: you)?",
  "are you (?:a )?(?:bot|robot|human|ai|real)",
];

const acknowledgements = [
  "ok(?:ay)?",
  "k",
  "cool",
  "nice",
  "great",
  "got it",
  "i see",
  "alright",
  "all right",
  "sure",
  "wow",
  "interesting",
  "good",
  "perfect",
  "awesome",
  "understood",
  "makes sense",
  "fine",
  "yes",
  "no",
  "yep",
  "nope",
];
// What may follow an acknowledgement: "ok thanks", "nice, got it".
const acknowledgementTails = ["thanks?", "cool", "got it", "i see"];

// Each pattern must match the whole message (after trimming punctuation and emoji), so a question
// that merely opens with a greeting ("Hi, how many deputies will the Mazhilis have?") is a question.
const patterns: Array<[SmallTalk, RegExp]> = [
  [
    "greeting",
    // "whats up", "wat's up": chat spellings, taken on their own only.
    new RegExp(`^(?:${greeting}|${anyOf(howAreYous)}|wh?at'?s\\s+up)$`, "i"),
  ],
  ["thanks", new RegExp(`^(?:${anyOf(approvals)}[\\s,]+)?${anyOf(thankYous)}(?:[\\s,]+${praise})?$`, "i")],
  ["goodbye", new RegExp(`^(?:(?:ok(?:ay)?|thanks?)[\\s,]+)?${anyOf(farewells)}$`, "i")],
  ["capabilities", new RegExp(`^${anyOf(capabilityQuestions)}$`, "i")],
  ["acknowledgement", new RegExp(`^${anyOf(acknowledgements)}(?:[\\s,]+${anyOf(acknowledgementTails)})?$`, "i")],
];

/**
 * Recognises small talk: greetings, thanks, goodbyes, "what can you do?", and bare
 * acknowledgements ("ok cool"). Only whole messages of these shapes count; anything that also
 * asks something goes on as a question. No LLM is needed, so both answerers reply alike.
 */
export function classifySmallTalk(message: string): SmallTalk | null {
  const text = message
    .toLowerCase()
    .replace(/[’`]/g, "'")
    // Chat spelling: "how r u", "thx u".
    .replace(/\br\b/g, "are")
    .replace(/\bu\b/g, "you")
    .replace(/\bur\b/g, "your");
  if (text.trim() === "" || text.length > 120) return null;
  // "cheers, that's all for now. goodbye": small talk when every clause is; the last one says what it does.
  const clauses = text
    .split(/[.,;!?]+/)
    .map((clause) =>
      clause
        .replace(/[^\p{L}\p{N}'\s]/gu, " ")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .filter((clause) => clause !== "");
  if (clauses.length === 0) return null;
  const kinds = clauses.map(classifyClause);
  if (kinds.some((kind) => kind === null)) {
    const whole = classifyClause(clauses.join(" "));
    return whole === "filler" ? "acknowledgement" : whole;
  }
  const said = kinds.filter((kind): kind is SmallTalk => kind !== "filler");
  return said.at(-1) ?? "acknowledgement";
}

// "that's all for now", "nothing else": part of a small-talk message, never one on its own account.
const fillers = ["that's all(?: for now)?", "that is all", "nothing else", "no more questions", "i'm done", "all good"];
const filler = new RegExp(`^${anyOf(fillers)}$`);

function classifyClause(clause: string): SmallTalk | "filler" | null {
  if (filler.test(clause)) return "filler";
  for (const [kind, pattern] of patterns) if (pattern.test(clause)) return kind;
  return null;
}
