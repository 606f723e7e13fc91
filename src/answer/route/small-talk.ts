/** What a message that is not a question about the interview is doing. */
export type SmallTalk = "greeting" | "thanks" | "goodbye" | "capabilities" | "acknowledgement";

// Each pattern must match the whole message (after trimming punctuation and emoji), so a question
// that merely opens with a greeting ("Hi, how many deputies will the Mazhilis have?") is a question.
const patterns: Array<[SmallTalk, RegExp]> = [
  [
    "greeting",
    /^(?:(?:hi|hello|hey|hiya|howdy|greetings|yo|hallo|salut|hola|good\s+(?:morning|afternoon|evening|day))(?:\s+(?:there|again|all|everyone|bot|assistant|friend))?(?:[\s,]+(?:how\s+are\s+you(?:\s+doing)?(?:\s+today)?|how's\s+it\s+going|what's\s+up|sup))?|how\s+are\s+you(?:\s+doing)?(?:\s+today)?|how's\s+it\s+going|what's\s+up|wh?at'?s\s+up|sup)$/i,
  ],
  [
    "thanks",
    /^(?:(?:ok(?:ay)?|great|cool|perfect|nice|awesome|wonderful)[\s,]+)?(?:thanks?(?:\s+(?:you|a\s+lot|so\s+much|very\s+much))*|thank\s+you(?:\s+(?:so|very)\s+much)?|thx|ty|cheers|much\s+appreciated)(?:[\s,]+(?:that|this|it)\s+(?:was|is)\s+(?:very\s+|really\s+|so\s+)?(?:helpful|useful|great|interesting|clear))?$/i,
  ],
  [
    "goodbye",
    /^(?:(?:ok(?:ay)?|thanks?)[\s,]+)?(?:bye(?:\s*bye)?|goodbye|good\s*bye|see\s+(?:you|ya)(?:\s+later)?|later|farewell|have\s+a\s+(?:good|nice|great)\s+(?:day|one|evening)|good\s+night)$/i,
  ],
  [
    "capabilities",
    /^(?:help|help\s+me|menu|start|what\s+(?:can|do|should|could)\s+(?:you|i)\s+(?:do|ask(?:\s+you)?|know|tell\s+me(?:\s+about)?|help\s+(?:me\s+)?with)|what\s+are\s+you|who\s+are\s+you|what\s+is\s+this(?:\s+(?:chat|bot|thing|tool))?|how\s+(?:does\s+this\s+work|do\s+(?:i|you)\s+(?:use\s+(?:this|you)|work))|what\s+(?:kind\s+of\s+)?questions\s+can\s+i\s+ask(?:\s+you)?|are\s+you\s+(?:a\s+)?(?:bot|robot|human|ai|real))$/i,
  ],
  [
    "acknowledgement",
    /^(?:ok(?:ay)?|k|cool|nice|great|got\s+it|i\s+see|alright|all\s+right|sure|wow|interesting|good|perfect|awesome|understood|makes\s+sense|fine|yes|no|yep|nope)(?:[\s,]+(?:thanks?|cool|got\s+it|i\s+see))?$/i,
  ],
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
const filler =
  /^(?:that's\s+all(?:\s+for\s+now)?|that\s+is\s+all|nothing\s+else|no\s+more\s+questions|i'm\s+done|all\s+good)$/;

function classifyClause(clause: string): SmallTalk | "filler" | null {
  if (filler.test(clause)) return "filler";
  for (const [kind, pattern] of patterns) if (pattern.test(clause)) return kind;
  return null;
}
