// @vitest-environment happy-dom
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatWidget } from "../src/widget/chat-widget.js";
import { labelsFor } from "../src/widget/labels.js";
import { citationEvent, type ChatEvent, type WireCitation, type WireTurn } from "../src/widget/contract.js";
import type { WidgetOptions } from "../src/widget/options.js";
import { ChatError, type ChatTransport } from "../src/widget/transport.js";

const citation: WireCitation = {
  n: 1,
  source: "interview.txt",
  chunkId: "q9",
  section: "How will Kazakhstan benefit?",
  quote: "Latvian ports (Liepaja, Riga, Ventspils)",
  start: 11445,
  end: 11565,
};

type Script = (signal: AbortSignal) => AsyncGenerator<ChatEvent>;

const answering = (text: string, extra: Partial<Extract<ChatEvent, { type: "citations" }>> = {}): Script =>
  async function* () {
    yield { type: "contexts", contexts: [] };
    for (const piece of text.match(/\S+\s*/g) ?? []) yield { type: "delta", text: piece };
    yield {
      type: "citations",
      citations: text.includes("[1]") ? [citation] : [],
      grounded: true,
      mode: "extractive",
      ...extra,
    };
    yield { type: "done" };
  };

const failing = (error: Error): Script =>
  async function* () {
    yield* [];
    throw error;
  };

/** Streams one delta, then waits until aborted, as a slow server would. */
const hanging: Script = async function* (signal) {
  yield { type: "delta", text: "Thinking about " };
  await new Promise((_resolve, reject) =>
    signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
  );
};

/** A hand-written transport that replays scripts and records what it was asked. */
class ScriptedTransport implements ChatTransport {
  readonly calls: Array<{ message: string; history: WireTurn[] }> = [];
  constructor(private readonly scripts: Script[]) {}
  async *stream(question: { message: string; history: WireTurn[] }, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
    this.calls.push(question);
    const script = this.scripts.shift() ?? answering("Fine [1].");
    yield* script(signal ?? new AbortController().signal);
  }
}

const options: WidgetOptions = {
  api: "http://127.0.0.1:9",
  title: "Ask the interview",
  greeting: "Hello!",
  suggestions: ["Which Latvian ports receive Kazakh cargo?", "Who was interviewed?"],
  position: "bottom-right",
  open: false,
  mode: "floating",
};

function mount(transport: ChatTransport, overrides: Partial<WidgetOptions> = {}) {
  const widget = document.createElement("interview-chat") as ChatWidget;
  document.body.append(widget);
  widget.setup({ ...options, ...overrides }, transport, sessionStorage);
  const shadow = widget.shadowRoot!;
  const $ = <T extends Element = HTMLElement>(selector: string) => shadow.querySelector<T & HTMLElement>(selector);
  const $$ = (selector: string) => [...shadow.querySelectorAll<HTMLElement>(selector)];
  return { widget, shadow, $, $$ };
}

beforeAll(() => {
  customElements.define("interview-chat", ChatWidget);
});

beforeEach(() => {
  document.body.replaceChildren();
  sessionStorage.clear();
});

describe("<interview-chat>", () => {
  it("starts closed with a labelled launcher, a greeting and the suggestions", () => {
    const { $, $$ } = mount(new ScriptedTransport([]));
    expect($(".panel")!.hidden).toBe(true);
    expect($(".launcher")!.getAttribute("aria-label")).toBe("Open chat: Ask the interview");
    expect($(".launcher")!.getAttribute("aria-expanded")).toBe("false");
    expect($(".log .assistant")!.textContent).toBe("Hello!");
    expect($$(".suggestion").map((button) => button.textContent)).toEqual(options.suggestions);
    for (const control of $$("button")) expect(control.getAttribute("aria-label") ?? control.textContent).toBeTruthy();
    expect($("label[for=question]")!.textContent).toBe("Your question");
  });

  it("sets its own language and direction, so a right-to-left host page never turns its text", () => {
    document.documentElement.setAttribute("dir", "rtl");
    try {
      const { $ } = mount(new ScriptedTransport([]));
      expect($(".root")!.getAttribute("dir")).toBe("ltr");
      expect($(".root")!.getAttribute("lang")).toBe("en");
      const german = mount(new ScriptedTransport([]), { labels: labelsFor("de") });
      expect(german.$(".root")!.getAttribute("lang")).toBe("de");
    } finally {
      document.documentElement.removeAttribute("dir");
    }
  });

  it("streams an answer with citation chips, announces it, and a chip opens the quote and tells the page", async () => {
    const transport = new ScriptedTransport([answering("Cargo goes to Latvian ports [1].")]);
    const { widget, $, $$ } = mount(transport);
    const seen: unknown[] = [];
    document.addEventListener(citationEvent, (event) => seen.push((event as CustomEvent).detail));
    widget.ask("Which Latvian ports receive Kazakh cargo?");
    expect($(".panel")!.hidden).toBe(false);
    await vi.waitFor(() => expect($(".assistant button.chip")).not.toBeNull());
    expect($$(".user")[0]!.textContent).toContain("Which Latvian ports receive Kazakh cargo?");
    expect($$(".assistant")[1]!.querySelector(".text")!.textContent).toBe("Cargo goes to Latvian ports 1.");
    expect($(".suggestions")!.hidden).toBe(true);
    await vi.waitFor(() =>
      expect($("[aria-live=polite]")!.textContent).toBe("Answer: Cargo goes to Latvian ports. (1 citation)"),
    );

    $(".assistant button.chip")!.click();
    expect($(".assistant button.chip")!.getAttribute("aria-expanded")).toBe("true");
    expect($(".card-quote")!.textContent).toBe(citation.quote);
    expect($(".card-question")!.textContent).toBe(citation.section);
    expect(seen).toEqual([citation]);
    $(".assistant button.chip")!.click();
    expect($(".card-quote")).toBeNull();
  });

  it("shows a question and an answer holding markup as text", async () => {
    const payload = "<img src=x onerror=alert(1)>";
    const { widget, $, shadow } = mount(new ScriptedTransport([answering(`You wrote ${payload}`)]));
    widget.ask(payload);
    await vi.waitFor(() => expect($(".assistant:last-child .text")!.textContent).toBe(`You wrote ${payload}`));
    expect($(".user")!.textContent).toContain(payload);
    expect(shadow.querySelector("img")).toBeNull();
    expect(document.querySelector("img")).toBeNull();
  });

  it("marks the sentences its quotes do not back, with no chip, and says nothing more of a reply that itself says the interview does not answer", async () => {
    const claims = [
      { text: "Cargo goes to Riga [1].", start: 0, end: 23, citations: [1], supported: true, support: 0.9 },
      { text: "Kazakhstan will join NATO [1].", start: 24, end: 54, citations: [1], supported: false, support: 0.1 },
    ];
    const { widget, $ } = mount(
      new ScriptedTransport([
        answering("Cargo goes to Riga [1]. Kazakhstan will join NATO [1].", {
          kind: "answer",
          claims,
          grounded: false,
        }),
        answering("The interview does not answer that question.", { kind: "no_answer", grounded: false }),
      ]),
    );
    widget.ask("Where does cargo go?");
    // Shown where it stands, marked, and with no chip: its quote does not back it.
    await vi.waitFor(() => expect($(".text .unsupported")).not.toBeNull());
    expect($(".text .unsupported")!.textContent).toBe("Kazakhstan will join NATO. (not found in the interview)");
    expect($(".text .unsupported button.chip")).toBeNull();
    expect($(".assistant:last-child .text")!.textContent).toBe(
      "Cargo goes to Riga 1. Kazakhstan will join NATO. (not found in the interview)",
    );
    widget.ask("What is the capital of France?");
    await vi.waitFor(() => expect($(".assistant:last-child .text")!.textContent).toContain("does not answer"));
    expect($(".assistant:last-child .note")).toBeNull();
  });

  it("adds no header landmark that would be a second banner on the host page", async () => {
    const { shadow } = mount(new ScriptedTransport([]));
    expect(shadow.querySelector("header")).toBeNull();
    expect(shadow.querySelector(".header h2")).not.toBeNull();
  });

  it("offers the server's suggestions as buttons that ask them", async () => {
    const suggesting: Script = async function* () {
      yield { type: "delta", text: "Hello! You could ask:" };
      yield { type: "citations", kind: "smalltalk", citations: [], claims: [], grounded: false, mode: "extractive" };
      yield { type: "suggestions", suggestions: ["Who was interviewed?", "What is the Middle Corridor?"] };
      yield { type: "done" };
    };
    const transport = new ScriptedTransport([suggesting, answering("Margulan Baimukhan [1].")]);
    const { widget, $, $$ } = mount(transport);
    widget.ask("hi");
    await vi.waitFor(() => expect($$(".reply-suggestions button.suggestion")).toHaveLength(2));
    expect($(".assistant .note")).toBeNull();
    ($$(".reply-suggestions button.suggestion")[0] as HTMLButtonElement).click();
    await vi.waitFor(() => expect(transport.calls.map((call) => call.message)).toEqual(["hi", "Who was interviewed?"]));
  });

  it("marks an abstention and a degraded answer", async () => {
    const { widget, $ } = mount(
      new ScriptedTransport([
        answering("The interview does not answer that question.", { grounded: false, degraded: true }),
      ]),
    );
    widget.ask("What is the capital of France?");
    await vi.waitFor(() => expect($(".note.abstained")).not.toBeNull());
    expect($(".note.degraded")).not.toBeNull();
    expect($(".assistant button.chip")).toBeNull();
  });

  it("sends the earlier questions and answers as history", async () => {
    const transport = new ScriptedTransport([answering("Riga [1]."), answering("Ten million tons [1].")]);
    const { widget, $$ } = mount(transport);
    widget.ask("Which ports?");
    await vi.waitFor(() => expect($$(".assistant button.chip")).toHaveLength(1));
    widget.ask("And how much?");
    await vi.waitFor(() => expect($$(".assistant button.chip")).toHaveLength(2));
    expect(transport.calls[0]!.history).toEqual([]);
    expect(transport.calls[1]).toEqual({
      message: "And how much?",
      history: [
        { role: "user", content: "Which ports?" },
        { role: "assistant", content: "Riga [1]." },
      ],
    });
  });

  it("while rate limited, says the wait in words and counts it down with the box, Send and retry off; then retry asks again", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const transport = new ScriptedTransport([
        failing(new ChatError("rate_limited", "Too many requests", 429, 30)),
        answering("Riga [1]."),
      ]);
      const { widget, $, $$ } = mount(transport);
      widget.ask("Which ports?");
      await vi.waitFor(() => expect($(".assistant.error")).not.toBeNull());
      expect($(".assistant.error .text")!.textContent).toBe(
        "Too many questions at once. Please wait about 30 seconds, then try again.",
      );
      expect($(".assistant.error .wait")!.textContent).toBe("You can ask again in 0:30.");
      const off = () => ["textarea", ".send", ".assistant.error .retry"].map((s) => $<HTMLButtonElement>(s)!.disabled);
      expect(off()).toEqual([true, true, true]);
      // Asked from JavaScript meanwhile, nothing is sent: the server would refuse it.
      widget.ask("Another?");
      vi.advanceTimersByTime(10_000);
      expect($(".assistant.error .wait")!.textContent).toBe("You can ask again in 0:20.");
      vi.advanceTimersByTime(20_000);
      expect($(".assistant.error .wait")).toBeNull();
      expect(off()).toEqual([false, false, false]);
      $(".assistant.error .retry")!.click();
      await vi.waitFor(() => expect($(".assistant button.chip")).not.toBeNull());
      expect($(".assistant.error")).toBeNull();
      expect($$(".user")).toHaveLength(1);
      expect(transport.calls.map((call) => call.message)).toEqual(["Which ports?", "Which ports?"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("goes on waiting out a rate limit after a reload of the page", async () => {
    const first = mount(new ScriptedTransport([failing(new ChatError("rate_limited", "Too many requests", 429, 600))]));
    first.widget.ask("Which ports?");
    await vi.waitFor(() => expect(first.$(".assistant.error .wait")).not.toBeNull());
    first.widget.remove();
    // The page again, with the conversation kept in sessionStorage.
    const { $ } = mount(new ScriptedTransport([]));
    expect($(".assistant.error .wait")!.textContent).toMatch(/^You can ask again in (10:00|9:59)\.$/);
    expect($<HTMLTextAreaElement>("textarea")!.disabled).toBe(true);
    expect($<HTMLButtonElement>(".assistant.error .retry")!.disabled).toBe(true);
  });

  it("shows a friendly message when the server is down, and tells the site's owner about ALLOWED_ORIGINS", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const { widget, $ } = mount(
        new ScriptedTransport([failing(new ChatError("network", "The server could not be reached", 0))]),
      );
      widget.ask("Which ports?");
      await vi.waitFor(() => expect($(".assistant.error .text")!.textContent).toMatch(/cannot be reached/));
      expect($(".assistant.error .retry")).not.toBeNull();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`ALLOWED_ORIGINS=${location.origin}`));
    } finally {
      warn.mockRestore();
    }
  });

  it("stops a streaming answer with the stop button", async () => {
    const { widget, $ } = mount(new ScriptedTransport([hanging]));
    widget.ask("Which ports?");
    await vi.waitFor(() => expect($(".assistant:last-child .text")!.textContent).toBe("Thinking about "));
    expect($(".stop")!.hidden).toBe(false);
    expect($(".send")!.hidden).toBe(true);
    $(".stop")!.click();
    await vi.waitFor(() => expect($(".assistant:last-child .status")!.textContent).toBe("Stopped."));
    expect($(".stop")!.hidden).toBe(true);
    expect($(".send")!.hidden).toBe(false);
    expect($(".assistant:last-child .text")!.textContent).toBe("Thinking about");
  });

  it("keeps the conversation across a reload of the page, and clears it", async () => {
    const first = mount(new ScriptedTransport([answering("Riga [1].")]));
    first.widget.ask("Which ports?");
    await vi.waitFor(() => expect(first.$(".assistant button.chip")).not.toBeNull());
    first.widget.remove();

    const second = mount(new ScriptedTransport([]));
    expect(second.$(".user")!.textContent).toContain("Which ports?");
    expect(second.$(".assistant button.chip")!.textContent).toBe("1");
    second.$("[aria-label='Clear conversation']")!.click();
    // It asks first; keeping it changes nothing.
    expect(second.$(".confirm")!.hidden).toBe(false);
    second.$(".confirm .keep")!.click();
    expect(second.$(".confirm")!.hidden).toBe(true);
    expect(second.$(".user")).not.toBeNull();
    const cleared = vi.fn();
    document.addEventListener("interview-chat:clear", cleared);
    second.$("[aria-label='Clear conversation']")!.click();
    second.$(".confirm .yes")!.click();
    expect(cleared).toHaveBeenCalledTimes(1);
    expect(second.$(".user")).toBeNull();
    expect(second.$$(".assistant")).toHaveLength(1);
    expect(mount(new ScriptedTransport([])).$(".user")).toBeNull();
  });

  it("keeps the words that came when the connection drops, says it was cut off, and retries the question", async () => {
    const dropping: Script = async function* () {
      yield { type: "delta", text: "Cargo goes to " };
      yield { type: "delta", text: "Riga and" };
      throw new ChatError("network", "The connection was lost", 0);
    };
    const transport = new ScriptedTransport([dropping, answering("Riga [1].")]);
    const { widget, $, $$ } = mount(transport);
    widget.ask("Which ports?");
    await vi.waitFor(() =>
      expect($(".assistant:last-child .status")?.textContent).toBe("The answer was cut off — try again."),
    );
    expect($(".assistant:last-child .text")!.textContent).toBe("Cargo goes to Riga and");
    $(".assistant:last-child .retry")!.click();
    await vi.waitFor(() => expect($(".assistant:last-child button.chip")).not.toBeNull());
    expect(transport.calls.map((call) => call.message)).toEqual(["Which ports?", "Which ports?"]);
    expect($$(".user")).toHaveLength(1);
  });

  it("replaces a question that has no words yet with the next one, and stops one that has, once", async () => {
    const transport = new ScriptedTransport([hanging, hanging, hanging]);
    const { widget, $, $$ } = mount(transport);
    widget.ask("First?");
    widget.ask("Second?");
    await vi.waitFor(() => expect($(".assistant:last-child .text")!.textContent).toBe("Thinking about "));
    widget.ask("Third?");
    await vi.waitFor(() =>
      expect($$(".user").map((bubble) => bubble.textContent)).toEqual(["You: Second?", "You: Third?"]),
    );
    await vi.waitFor(() => expect($$(".status").map((status) => status.textContent)).toEqual(["Stopped."]));
    $(".stop")!.click();
    await vi.waitFor(() => expect($$(".status").map((status) => status.textContent)).toEqual(["Stopped.", "Stopped."]));
  });

  it("closes the innermost thing with Escape: the open quote, then the panel", async () => {
    const { widget, $ } = mount(new ScriptedTransport([answering("Riga [1].")]));
    widget.ask("Which ports?");
    await vi.waitFor(() => expect($("button.chip")).not.toBeNull());
    $("button.chip")!.click();
    expect($(".card-quote")).not.toBeNull();
    const escape = () =>
      $("textarea")!.dispatchEvent(
        new KeyboardEvent("keydown", { key: "Escape", bubbles: true, composed: true, cancelable: true }),
      );
    escape();
    expect($(".card-quote")).toBeNull();
    expect($(".panel")!.hidden).toBe(false);
    escape();
    expect($(".panel")!.hidden).toBe(true);
  });

  it("tells the visitor the chat is not available on a refused page, also when asked anyway", async () => {
    const { widget, $ } = mount(
      new ScriptedTransport([failing(new ChatError("network", "The server could not be reached", 0))]),
    );
    widget.unavailable();
    expect($(".unavailable")!.textContent).toBe("The chat isn't available on this page.");
    widget.ask("Which ports?");
    await vi.waitFor(() =>
      expect($(".assistant.error:last-child .text")?.textContent).toBe("The chat isn't available on this page."),
    );
  });

  it("sends with Enter, keeps Shift+Enter for a new line, and closes with Escape", async () => {
    const transport = new ScriptedTransport([answering("Riga [1].")]);
    const { $ } = mount(transport);
    $(".launcher")!.click();
    expect($(".panel")!.hidden).toBe(false);
    const input = $<HTMLTextAreaElement>("textarea")! as HTMLTextAreaElement;
    input.value = "Which ports";
    input.dispatchEvent(
      new KeyboardEvent("keydown", { key: "Enter", shiftKey: true, bubbles: true, cancelable: true }),
    );
    expect(transport.calls).toHaveLength(0);
    input.value = "Which ports\nreceive cargo?";
    const enter = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
    input.dispatchEvent(enter);
    expect(enter.defaultPrevented).toBe(true);
    expect(transport.calls.map((call) => call.message)).toEqual(["Which ports\nreceive cargo?"]);
    expect(input.value).toBe("");
    await vi.waitFor(() => expect($(".assistant button.chip")).not.toBeNull());
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true }));
    expect($(".panel")!.hidden).toBe(true);
    expect($(".launcher")!.getAttribute("aria-expanded")).toBe("false");
  });

  it("opens on load with data-open", () => {
    const { $ } = mount(new ScriptedTransport([]), { open: true });
    expect($(".panel")!.hidden).toBe(false);
    expect($(".launcher")!.getAttribute("aria-expanded")).toBe("true");
  });

  it("renders inline, always open, with no launcher or close button", () => {
    const { widget, $ } = mount(new ScriptedTransport([]), { mode: "inline" });
    expect($(".panel")!.hidden).toBe(false);
    expect($(".launcher")!.hidden).toBe(true);
    expect($("[aria-label='Close chat']")!.hidden).toBe(true);
    widget.close();
    expect($(".panel")!.hidden).toBe(false);
  });
});
