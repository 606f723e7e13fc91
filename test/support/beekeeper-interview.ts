/**
 * A short interview written for the Word and PDF tests (no third-party text): a title, a lead that
 * names the interviewee, and seven questions, each with its answer.
 */
export const beekeeper = {
  title: "Thirty winters with the bees",
  lead: "Marta Okafor has kept bees on the hills above Dunmere for thirty years. This spring she lost half of her hives to a late frost. She spoke to the Valley Gazette about honey, weather and starting again.",
  turns: [
    [
      "How did you come to keep bees?",
      "My mother kept six hives behind the school where she taught. I carried the smoker for her from the age of nine, and when she retired the hives came to me.",
    ],
    [
      "What happened this spring?",
      "A frost came in the second week of April, after the colonies had started to grow. The brood was exposed and I lost twenty-two of my forty-five hives in four nights.",
    ],
    [
      "Could anything have saved them?",
      "Insulated covers would have helped some of them. I had ordered them in March, but they arrived in May.",
    ],
    ["How much honey will you have this year?", "Perhaps three hundred kilos, against nine hundred in a normal year."],
    [
      "Will you raise your prices?",
      "A little. The shop in Dunmere has agreed to pay eleven euros a jar instead of nine.",
    ],
    [
      "What would you tell someone starting out?",
      "Start with two hives, not one, so that you can compare them. And join the local association: the older keepers know the valley's weather better than any forecast.",
    ],
    [
      "Will you go back to forty-five hives?",
      "Not at once. I will split the strongest colonies in June and see how many come through the winter.",
    ],
  ] as Array<[question: string, answer: string]>,
};

/**
 * The same interview as a plain transcript (title, lead, `Q:` / `A:` turns): a corpus that indexes
 * in a fraction of a second, for tests of building an index rather than of what it finds.
 */
export function beekeeperTranscript(): string {
  const turns = beekeeper.turns.map(([question, answer]) => `Q: ${question}\n\nA: ${answer}`);
  return [beekeeper.title, beekeeper.lead, ...turns].join("\n\n") + "\n";
}
