import { describe, expect, it } from "vitest";
import { sourceFile } from "../src/ingest/load-corpus.js";
import { parseInterview } from "../src/ingest/parse-interview.js";

// Layouts as publishers use them, each in a few lines of our own: the parser must find the
// interviewer's questions from the structure, whatever the names in the tags.
const parse = async (text: string, name = "talk.txt") => parseInterview(await sourceFile(name, text));
const questionsOf = async (text: string, name?: string) =>
  (await parse(text, name)).questions.map((q) => q.question.text);

describe("parseInterview reads speakers from the layout", () => {
  it("takes Q:, Q.: and Question: for one side, and the side that answers for the other", async () => {
    const text = [
      "Port chief on the year ahead",
      "",
      "Question: How many ships came?",
      "Answer: About 900, a record.",
      "",
      "Q.: And next year?",
      "A.: We plan for 1,000.",
      "",
      "Q: Will the quay be longer?",
      "A: By 200 metres, in 2027.",
    ].join("\n");
    expect(await questionsOf(text)).toEqual(["How many ships came?", "And next year?", "Will the quay be longer?"]);
    expect((await parse(text)).questions[1]!.answer!.text).toBe("We plan for 1,000.");
  });

  it("never takes a headline with a colon, a dateline or a link line for a speaker", async () => {
    const text = [
      "Irena Kowal: The Mountains Taught Me Patience",
      "",
      "KRAKOW: The climber Irena Kowal spoke about her new route.",
      "",
      "Q: Which peak was hardest?",
      "The north face of the Eiger.",
      "",
      "More From Alpine Weekly: https://example.org/alpine",
      "",
      "Q: Will you go back?",
      "Next winter, with my brother.",
    ].join("\n");
    const parsed = await parse(text);
    expect(parsed.questions.map((q) => q.question.text)).toEqual(["Which peak was hardest?", "Will you go back?"]);
    expect(parsed.questions[0]!.answer!.text).toBe("The north face of the Eiger.");
    expect(parsed.boilerplate.map((span) => span.text)).toContain(
      "More From Alpine Weekly: https://example.org/alpine",
    );
    expect(parsed.interviewee?.name).toBe("Irena Kowal");
  });

  it("reads a press conference: opening remarks are the lead, journalists with outlets ask, short follow-ups stay", async () => {
    const text = [
      "PRESS CONFERENCE WITH THE MAYOR",
      "",
      "MAYOR: Good afternoon. Today we open the new bridge.",
      "",
      "JOURNALIST (City Radio): What did the bridge cost?",
      "",
      "MAYOR: 40 million, under budget.",
      "",
      "JOURNALIST: Under budget?",
      "",
      "MAYOR: By two million.",
      "",
      "JOURNALIST (Evening Post): When do trams cross it?",
      "",
      "MAYOR: From May.",
      "",
      "JOURNALIST: In any way?",
      "",
      "MAYOR: From May, I said.",
    ].join("\n");
    const parsed = await parse(text);
    expect(parsed.questions.map((q) => q.question.text)).toEqual([
      "What did the bridge cost?",
      "When do trams cross it?",
    ]);
    expect(parsed.lead.map((span) => span.text)).toEqual(["MAYOR: Good afternoon. Today we open the new bridge."]);
    expect(parsed.questions[0]!.answer!.text).toContain("Under budget?");
    expect(parsed.questions[1]!.answer!.text).toContain("In any way?");
    expect(parsed.questions[0]!.answerSpeaker).toBe("MAYOR");
    expect(parsed.interviewee?.name).toBe("MAYOR");
  });

  it("takes the side that asks for the interviewer when neither tag is conventional", async () => {
    const text = [
      "An embassy's questions and answers",
      "",
      "HARBOUR NEWS: Ambassador, what brings you here? Is it trade?",
      "",
      "J. OKAFOR: Trade, yes, and the new ferry line.",
      "",
      "HARBOUR NEWS: When does the ferry start?",
      "",
      "J. OKAFOR: In June. It runs twice a week.",
    ].join("\n");
    const parsed = await parse(text);
    expect(parsed.questions.map((q) => q.speaker)).toEqual(["HARBOUR NEWS", "HARBOUR NEWS"]);
    expect(parsed.interviewee?.name).toBe("J. OKAFOR");
    expect(parsed.interviewee?.sentence.text).toContain("OKAFOR");
  });

  it("reads dash-led TV turns: the host's opening is the introduction, the courtesy at the end no question", async () => {
    const text = [
      "MORNING SHOW - TRANSCRIPT",
      "",
      "- Good morning. Joining me now is the head of the weather service, Ana Ruiz. Welcome.",
      "- Thank you.",
      "- Will it rain this week?",
      "- On Thursday, heavily in the north.",
      "- And the weekend?",
      "- Dry and warm.",
      "- Ana Ruiz, thank you.",
      "- My pleasure.",
    ].join("\n");
    const parsed = await parse(text);
    expect(parsed.questions.map((q) => q.question.text)).toEqual(["Will it rain this week?", "And the weekend?"]);
    expect(parsed.questions[0]!.answer!.text).toBe("On Thursday, heavily in the north.");
    expect(parsed.interviewee?.name).toBe("Ana Ruiz");
  });

  it("finds untagged short questions between answers", async () => {
    const text = [
      "Five minutes with a beekeeper",
      "",
      "Tomas Berg keeps 40 hives above the lake.",
      "",
      "How did you start?",
      "",
      "My grandfather gave me two hives in 1998.",
      "",
      "What was the honey like this year?",
      "",
      "Dark and strong, because of the heather.",
    ].join("\n");
    expect(await questionsOf(text)).toEqual(["How did you start?", "What was the honey like this year?"]);
  });

  it("drops a site menu above the headline and the copyright footer", async () => {
    const text = [
      "Home",
      "News",
      "Sport",
      "Weather",
      "",
      "Baker wins the county prize",
      "",
      "Q: What is the secret?",
      "Butter, and patience.",
      "",
      "© 2026 County Courier. All rights reserved.",
    ].join("\n");
    const parsed = await parse(text);
    expect(parsed.title?.text).toBe("Baker wins the county prize");
    expect(parsed.boilerplate.map((span) => span.text)).toContain("Home\nNews\nSport\nWeather");
    expect(parsed.questions[0]!.answer!.text).toBe("Butter, and patience.");
  });

  it("reads subtitle voices: the host asks, the guest is the interviewee, named by the host", async () => {
    const vtt = [
      "WEBVTT",
      "",
      "00:00:01.000 --> 00:00:04.000",
      "<v Lena Park>Welcome. My guest today is Omar Haddad, a",
      "",
      "00:00:04.000 --> 00:00:06.000",
      "<v Lena Park>glassblower from Hebron.",
      "",
      "00:00:06.000 --> 00:00:09.000",
      "<v Lena Park>How long does one vase take?",
      "",
      "00:00:09.000 --> 00:00:12.000",
      "<v Omar Haddad>About four hours,",
      "",
      "00:00:12.000 --> 00:00:14.000",
      "<v Omar Haddad>with two of us at the furnace.",
    ].join("\n");
    const parsed = await parse(vtt, "glass.vtt");
    // The host's whole turn is the question: the introduction and the question are one turn.
    expect(parsed.questions).toHaveLength(1);
    expect(parsed.questions[0]!.question.text).toMatch(/^Welcome\. .* How long does one vase take\?$/);
    expect(parsed.questions[0]!.answer!.text).toBe("About four hours, with two of us at the furnace.");
    expect(parsed.questions[0]!.answerSpeaker).toBe("Omar Haddad");
    expect(parsed.interviewee?.name).toBe("Omar Haddad");
  });
});
