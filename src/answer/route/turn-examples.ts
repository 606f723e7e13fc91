import type { SmallTalk } from "./small-talk.js";

/**
 * Labelled examples of the kinds of turn that are not questions about the interview's content, for
 * recognising a new phrasing by its nearest examples in the sentence encoder's space (see
 * turn-by-meaning.ts). Each kind has varied phrasings; "question" examples are content questions
 * of many shapes, so a question near no other kind stays a question. Written for this purpose, not
 * taken from any evaluation set.
 */
export type TurnLabel = SmallTalk | "overview" | "question";

export const turnExamples: ReadonlyArray<readonly [TurnLabel, readonly string[]]> = [
  [
    "greeting",
    [
      "hello",
      "hi there",
      "hey",
      "good morning",
      "hiya, how are you doing",
      "greetings",
      "yo",
      "evening all",
      "hello, is this thing on",
      "anybody home?",
      "hey, you there?",
    ],
  ],
  [
    "thanks",
    [
      "thank you",
      "thanks a lot",
      "many thanks",
      "thank you so much, that was useful",
      "much appreciated",
      "brilliant, thanks",
      "you've been a great help",
      "that really helped, thank you",
      "great answer, thanks",
      "ta",
      "thanks heaps",
      "perfect, exactly what i needed",
    ],
  ],
  [
    "goodbye",
    ["bye", "goodbye", "see you later", "that's all, bye", "i have to go now", "take care", "talk to you later", "cya"],
  ],
  [
    "capabilities",
    [
      "what can you do",
      "how does this work",
      "what are you",
      "are you a bot",
      "who made you",
      "what kind of questions can i ask",
      "can you help me",
      "what is this chat for",
      "how do i use this",
    ],
  ],
  [
    "acknowledgement",
    [
      "ok",
      "okay got it",
      "i see",
      "alright",
      "cool",
      "nice",
      "makes sense",
      "interesting",
      "wow",
      "fair enough",
      "hmm",
    ],
  ],
  [
    "overview",
    [
      "summarize the interview",
      "give me a summary",
      "what is the interview about",
      "what are the main points",
      "give me the gist",
      "short version please",
      "key takeaways",
      "what did they talk about overall",
      "sum it up for me",
      "a quick recap of everything",
      "what topics does it cover",
      "outline the conversation",
    ],
  ],
  [
    "question",
    [
      "what did he say about the economy",
      "how many people voted",
      "when was the referendum held",
      "who is the president",
      "why are the reforms needed",
      "what is the trade volume with europe",
      "where is the new port being built",
      "which countries invest the most",
      "how will parliament change",
      "what does the constitution say about human rights",
      "is the country joining the eu",
      "what are the plans for energy",
      "tell me about the transport corridor",
      "what did the ambassador say about russia",
      "how much did exports grow",
      "what happens to the senate",
    ],
  ],
];
