// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { segmentAnswer, spokenAnswer } from "../src/widget/answer-segments.js";
import { limits, type WireCitation } from "../src/widget/contract.js";
import { conversationStore, historyOf, type Message } from "../src/widget/conversation.js";
import { labelsFor } from "../src/widget/labels.js";
import { readOptions } from "../src/widget/options.js";
import {
  answerRenderer,
  clockTime,
  friendlyError,
  humanWait,
  renderAnswerText,
  renderCitationCard,
} from "../src/widget/render.js";

const payload = "<img src=x onerror=alert(1)>";
const citations: WireCitation[] = [
  {
    n: 1,
    source: "interview.txt",
    chunkId: "q9",
    section: "How will Kazakhstan benefit from the “Middle Corridor”?",
    quote: "export cargoes were redirected to Latvian ports",
    start: 11460,
    end: 11507,
  },
  {
    n: 2,
    source: "interview.txt",
    chunkId: "q9",
    section: "How will Kazakhstan benefit from the “Middle Corridor”?",
    quote: "will reach 10 million tons",
    start: 11700,
    end: 11726,
  },
];

function render(answer: string, known: WireCitation[] | null): HTMLElement {
  const container = document.createElement("p");
  container.append(renderAnswerText(answer, known, "answer-1"));
  return container;
}

describe("segmentAnswer", () => {
  it("splits an answer into its text and [n] markers, losing no character", () => {
    const answer = "Cargo goes to Latvian ports [1]. Traffic will reach 10 million tons [2][1].";
    const segments = segmentAnswer(answer);
    expect(segments).toEqual([
      { text: "Cargo goes to Latvian ports " },
      { n: 1 },
      { text: ". Traffic will reach 10 million tons " },
      { n: 2 },
      { n: 1 },
      { text: "." },
    ]);
    expect(segments.map((segment) => ("text" in segment ? segment.text : `[${segment.n}]`)).join("")).toBe(answer);
  });

  it("leaves text without markers whole, and reads aloud without them", () => {
    expect(segmentAnswer("No markers [here].")).toEqual([{ text: "No markers [here]." }]);
    expect(spokenAnswer("Latvian ports [1]. Ten million tons [2].")).toBe("Latvian ports. Ten million tons.");
  });
});

describe("renderAnswerText", () => {
  it("renders each known [n] as a citation chip button and keeps the text", () => {
    const container = render("Cargo goes to Latvian ports [1]. It will reach 10 million tons [2].", citations);
    const chips = [...container.querySelectorAll("button.chip")];
    expect(chips.map((chip) => chip.textContent)).toEqual(["1", "2"]);
    expect(chips.map((chip) => chip.getAttribute("data-n"))).toEqual(["1", "2"]);
    expect(chips[0]!.getAttribute("aria-label")).toBe("Citation 1: show the quote");
    expect(chips[0]!.getAttribute("aria-expanded")).toBe("false");
    expect(container.textContent).toBe("Cargo goes to Latvian ports 1. It will reach 10 million tons 2.");
  });

  it("keeps a marker with no citation as plain text", () => {
    const container = render("Unknown [3].", citations);
    expect(container.querySelector("button")).toBeNull();
    expect(container.textContent).toBe("Unknown [3].");
  });

  it("shows inert chips while the citations are still streaming", () => {
    const container = render("Latvian ports [1]", null);
    expect(container.querySelector("button")).toBeNull();
    expect(container.querySelector(".chip.pending")?.textContent).toBe("1");
  });

  it("renders markup in an answer as the characters it is made of", () => {
    const container = render(`${payload} and <b>bold</b> [1]`, citations);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(container.textContent).toBe(`${payload} and <b>bold</b> 1`);
  });
});

describe("answer Markdown", () => {
  it("renders paragraphs, line breaks, italics and lists as elements, and their markup as text", () => {
    const container = render(
      `First **bold** and *italic* [1].\nSame paragraph.\n\nSecond ${payload}.\n\n- one [2]\n- *two*\n\n3. three\n4. four`,
      citations,
    );
    expect([...container.children].map((child) => child.tagName.toLowerCase())).toEqual(["p", "p", "ul", "ol"]);
    expect(container.querySelector("p br")).not.toBeNull();
    expect(container.querySelector("strong")?.textContent).toBe("bold");
    expect(container.querySelector("p em")?.textContent).toBe("italic");
    expect([...container.querySelectorAll("ul li")].map((li) => li.textContent)).toEqual(["one 2", "two"]);
    expect(container.querySelector("ul li button.chip")?.textContent).toBe("2");
    expect(container.querySelector("ol")?.getAttribute("start")).toBe("3");
    expect(container.querySelector("img")).toBeNull();
    expect(container.children[1]!.textContent).toBe(`Second ${payload}.`);
  });

  it("renders an overview's (1) (2) … parts, one a line, as a numbered list with chips, and (laughs) as text", () => {
    const container = render(
      `In short, the answers:\n(1) Ports [1].\n(2) Tons ${payload} [2].\n\n(4) Later.\n\n(laughs) Not a list (1) here.`,
      citations,
    );
    expect([...container.children].map((child) => child.tagName.toLowerCase())).toEqual(["p", "ol", "ol", "p"]);
    expect([...container.querySelectorAll("ol")[0]!.children].map((li) => li.textContent)).toEqual([
      "Ports 1.",
      `Tons ${payload} 2.`,
    ]);
    expect(container.querySelectorAll("ol li button.chip")).toHaveLength(2);
    expect(container.querySelectorAll("ol")[1]!.getAttribute("start")).toBe("4");
    expect(container.querySelector("img")).toBeNull();
    expect(container.lastElementChild!.textContent).toBe("(laughs) Not a list (1) here.");
  });

  it("renders a streamed answer the same as a whole one, whatever the chunks", () => {
    const answer =
      "The **Middle Corridor** grows [1].\n\n- Riga *and* Liepaja [2]\n- 10 million tons\n\nIn short:\n(1) Ports [1].\n(12) Tons.\n\nMore **text";
    const whole = render(answer, null).innerHTML;
    for (const size of [1, 2, 3, 7, 16]) {
      const container = document.createElement("div");
      const renderer = answerRenderer(container, { citations: null, idPrefix: "m" });
      for (let i = 0; i < answer.length; i += size) renderer.append(answer.slice(i, i + size));
      renderer.end();
      expect(container.innerHTML, `chunks of ${size}`).toBe(whole);
    }
  });

  it("appends streamed words rather than redrawing what is already shown", () => {
    const container = document.createElement("div");
    const renderer = answerRenderer(container, { citations: null, idPrefix: "m" });
    renderer.append("Cargo goes to the ports of ");
    const first = container.querySelector("p")!.firstChild;
    renderer.append("Riga and Liepaja [1], and on ");
    renderer.append("to Europe.");
    expect(container.querySelector("p")!.firstChild).toBe(first);
    expect(container.textContent).toBe("Cargo goes to the ports of Riga and Liepaja 1, and on to Europe.");
  });
});

describe("renderCitationCard", () => {
  it("shows the interviewer's question and the quote, its offsets in a tooltip", () => {
    const card = renderCitationCard(citations[0]!, { grounded: true });
    expect(card.querySelector(".card-question")?.textContent).toBe(citations[0]!.section);
    expect(card.querySelector(".card-quote")?.textContent).toBe(citations[0]!.quote);
    // Offsets are for the curious, in a tooltip, not a line of numbers in the card.
    expect(card.textContent).not.toContain("Characters");
    expect(card.querySelector(".card-quote")?.getAttribute("title")).toBe("Characters 11460–11507 of the interview");
    expect(card.querySelector(".note")).toBeNull();
  });

  it("names the quote's interview when the answer quotes several, and the moment it is spoken in a recording", () => {
    const alone = renderCitationCard(citations[0]!, { grounded: true, citations: [citations[0]!] });
    expect(alone.querySelector(".card-meta")).toBeNull();
    const timed = { ...citations[0]!, source: "orchard.vtt", time: { start: 94.5, end: 99 } };
    const card = renderCitationCard(timed, { grounded: true, citations: [citations[0]!, timed] });
    expect(card.querySelector(".card-meta")?.textContent).toBe("From orchard.vtt · at 1:34");
    const german = renderCitationCard(timed, { grounded: true, citations: [timed] }, labelsFor("de"));
    expect(german.querySelector(".card-meta")?.textContent).toBe("bei 1:34");
    expect(clockTime(3725)).toBe("1:02:05");
  });

  it("says when the answer abstained or the LLM fell back to quoting", () => {
    const card = renderCitationCard(citations[0]!, { grounded: false, degraded: true });
    expect(card.querySelector(".abstained")?.textContent).toMatch(/does not answer/);
    expect(card.querySelector(".degraded")?.textContent).toMatch(/unavailable/);
  });

  it("shows a model's **bold** as bold text, and markup inside it still as text", () => {
    const fragment = renderAnswerText("The **Middle Corridor** and **<b>x</b>** [1].", citations, "m1");
    const box = document.createElement("p");
    box.append(fragment);
    expect([...box.querySelectorAll("strong")].map((strong) => strong.textContent)).toEqual([
      "Middle Corridor",
      "<b>x</b>",
    ]);
    expect(box.querySelector("b")).toBeNull();
    expect(box.textContent).not.toContain("**");
  });

  it("renders a quote and question holding markup as text", () => {
    const card = renderCitationCard({ ...citations[0]!, section: payload, quote: payload }, { grounded: true });
    expect(card.querySelector("img")).toBeNull();
    expect(card.querySelector(".card-quote")?.textContent).toBe(payload);
    expect(card.querySelector(".card-question")?.textContent).toBe(payload);
  });
});

describe("humanWait", () => {
  it("says a wait as a person would: seconds rounded to fives, a minute, whole minutes", () => {
    expect([2, 8, 28, 30, 50, 60, 89, 90, 570, 600].map((seconds) => humanWait(seconds))).toEqual([
      "a moment",
      "about 8 seconds",
      "about 30 seconds",
      "about 30 seconds",
      "about 50 seconds",
      "about a minute",
      "about a minute",
      "about 2 minutes",
      "about 10 minutes",
      "about 10 minutes",
    ]);
    expect(humanWait(600, labelsFor("de"))).toBe("etwa 10 Minuten");
  });
});

describe("friendlyError", () => {
  it("asks to wait when rate limited, with the server's Retry-After", () => {
    expect(friendlyError({ code: "rate_limited", message: "Too many requests", status: 429, retryAfter: 30 })).toMatch(
      /wait about 30 seconds/,
    );
  });

  it("has a message for an unreachable server, a cut stream, a refused question and a server fault", () => {
    expect(friendlyError({ code: "network", message: "", status: 0 })).toMatch(/cannot be reached/);
    expect(friendlyError({ code: "incomplete", message: "", status: 0 })).toMatch(/cut off/);
    expect(
      friendlyError({ code: "invalid_request", message: "message: must be at most 2,000 characters", status: 400 }),
    ).toBe("The question could not be sent: message: must be at most 2,000 characters");
    expect(friendlyError({ code: "upstream_timeout", message: "", status: 504 })).toMatch(/trouble/);
  });
});

describe("historyOf", () => {
  it("sends at most 20 turns, the latest, each at most 4,000 characters", () => {
    const messages: Message[] = [];
    for (let i = 0; i < 15; i++) {
      messages.push({ role: "user", text: `Question ${i}` });
      messages.push({
        role: "assistant",
        text: i === 14 ? "x".repeat(5000) : `Answer ${i}`,
        question: `Question ${i}`,
        status: "done",
        citations: [],
      });
    }
    const history = historyOf(messages);
    expect(history).toHaveLength(limits.turns);
    expect(history[0]).toEqual({ role: "user", content: "Question 5" });
    expect(history.at(-1)!.content).toHaveLength(limits.turnLength);
  });

  it("leaves out answers that failed or were stopped", () => {
    const history = historyOf([
      { role: "user", text: "First?" },
      {
        role: "assistant",
        text: "",
        question: "First?",
        status: "error",
        citations: [],
        error: { code: "network", message: "", status: 0 },
      },
      { role: "user", text: "Second?" },
      { role: "assistant", text: "Half an ans", question: "Second?", status: "stopped", citations: [] },
      { role: "user", text: "Third?" },
      { role: "assistant", text: "An answer [1].", question: "Third?", status: "done", citations: [] },
    ]);
    expect(history).toEqual([
      { role: "user", content: "First?" },
      { role: "user", content: "Second?" },
      { role: "user", content: "Third?" },
      { role: "assistant", content: "An answer [1]." },
    ]);
  });
});

describe("conversationStore", () => {
  it("keeps a conversation across loads, and forgets it when cleared", () => {
    const store = conversationStore(sessionStorage, "test-conversation");
    const messages: Message[] = [
      { role: "user", text: payload },
      { role: "assistant", text: "An answer [1].", question: payload, status: "done", citations, grounded: true },
    ];
    store.save(messages);
    expect(conversationStore(sessionStorage, "test-conversation").load()).toEqual(messages);
    store.clear();
    expect(store.load()).toEqual([]);
  });

  it("restores an answer cut by the reload as stopped", () => {
    sessionStorage.setItem(
      "test-cut",
      JSON.stringify([
        { role: "user", text: "q" },
        { role: "assistant", text: "Half", question: "q", status: "streaming", citations: [] },
      ]),
    );
    expect(conversationStore(sessionStorage, "test-cut").load()[1]).toMatchObject({ status: "stopped" });
  });

  it("survives corrupt data and storage that throws", () => {
    sessionStorage.setItem("test-corrupt", "{not json");
    expect(conversationStore(sessionStorage, "test-corrupt").load()).toEqual([]);
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("quota");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    const store = conversationStore(broken, "x");
    expect(store.load()).toEqual([]);
    expect(() => store.save([{ role: "user", text: "q" }])).not.toThrow();
    expect(() => store.clear()).not.toThrow();
  });
});

describe("readOptions", () => {
  it("defaults to the script's origin, a floating panel bottom right, closed", () => {
    const options = readOptions({}, "https://chat.example.org/widget.js?v=2", "https://news.example.com/article");
    expect(options).toMatchObject({
      api: "https://chat.example.org",
      position: "bottom-right",
      open: false,
      mode: "floating",
      suggestions: [],
    });
    expect(options.accent).toBeUndefined();
  });

  it("reads every data-* option; suggestions are separated by |", () => {
    const options = readOptions(
      {
        api: "/chat-server/",
        title: "Ask the ambassador",
        greeting: "Hi!",
        suggestions: " Who was interviewed? | What changed?||",
        accent: "#0b7a5a",
        position: "bottom-left",
        open: "",
        mode: "inline",
        target: "#chat",
      },
      "https://cdn.example.net/widget.js",
      "https://news.example.com/a/b",
    );
    expect(options).toMatchObject({
      api: "https://news.example.com/chat-server",
      title: "Ask the ambassador",
      greeting: "Hi!",
      suggestions: ["Who was interviewed?", "What changed?"],
      accent: "#0b7a5a",
      position: "bottom-left",
      open: true,
      mode: "inline",
      target: "#chat",
    });
    expect(readOptions({ open: "false" }, undefined, "https://a.example/").open).toBe(false);
  });

  it("reads the theme, avatar, words, storage and source options", () => {
    const options = readOptions(
      {
        theme: "dark",
        avatar: "/logo.png",
        lang: "de",
        labels: '{"send":"Los","unknown":"x","stop":7}',
        placeholder: "Ihre Frage hier",
        persist: "local",
        source: "interview.txt",
        media: " #recording ",
      },
      "https://chat.example.org/widget.js",
      "https://news.example.com/a/b",
    );
    expect(options).toMatchObject({
      theme: "dark",
      avatar: "https://news.example.com/logo.png",
      persist: "local",
      source: "interview.txt",
      media: "#recording",
      title: "Fragen zum Interview",
    });
    expect(options.labels).toMatchObject({
      send: "Los",
      stop: "Antwort anhalten",
      placeholder: "Ihre Frage hier",
      unavailable: "Der Chat ist auf dieser Seite nicht verfügbar.",
    });
    expect(options.labels).not.toHaveProperty("unknown");
    const defaults = readOptions(
      { theme: "purple", persist: "forever", labels: "{not json" },
      "https://chat.example.org/widget.js",
      "https://a.example/",
    );
    expect(defaults).toMatchObject({ theme: "auto", persist: "tab", title: "Ask the interview" });
    expect(defaults.labels!.send).toBe("Send question");
  });
});
