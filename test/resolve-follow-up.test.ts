import { describe, expect, it } from "vitest";
import { resolveFollowUp, type ChatTurn } from "../src/retrieve/resolve-follow-up.js";

const grammy: ChatTurn[] = [
  { role: "user", content: "Which Kazakh musician won a Grammy?" },
  { role: "assistant", content: "Imanbek Zeikenov, a self-taught DJ, won the Grammy Award [1]." },
];

describe("resolving a follow-up", () => {
  it("uses the assistant's reply to say who a pronoun points at, apart from the search text", () => {
    const resolved = resolveFollowUp("Which international stars has he worked with?", grammy);
    expect(resolved.context).toBe("Which Kazakh musician won a Grammy?");
    expect(resolved.searchText).toBe(
      "Which Kazakh musician won a Grammy? Which international stars has he worked with?",
    );
    // Only the reply names him; its citation markers are not words.
    expect(resolved.reply).toContain("Imanbek Zeikenov");
    expect(resolved.reply).not.toMatch(/\[\d+\]/);
    expect(resolved.searchText).not.toContain("Imanbek");
  });

  it("keeps only the start of a long reply", () => {
    const long: ChatTurn[] = [
      grammy[0]!,
      { role: "assistant", content: `Imanbek Zeikenov [1]. ${"He toured a lot. ".repeat(100)}` },
    ];
    const { reply } = resolveFollowUp("Who has he worked with?", long);
    expect(reply?.startsWith("Imanbek Zeikenov")).toBe(true);
    expect(reply!.length).toBeLessThanOrEqual(300);
  });

  it("takes no reply when the latest question has none yet, and leaves a question that stands alone as it is", () => {
    expect(resolveFollowUp("Who has he worked with?", [grammy[0]!])).not.toHaveProperty("reply");
    const standalone = resolveFollowUp("Which Latvian ports receive Kazakh export cargo?", grammy);
    expect(standalone).toEqual({
      question: "Which Latvian ports receive Kazakh export cargo?",
      searchText: "Which Latvian ports receive Kazakh export cargo?",
    });
  });
});
