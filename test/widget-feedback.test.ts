// @vitest-environment happy-dom
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatWidget } from "../src/widget/chat-widget.js";
import type { ChatEvent, WireFeedback, WireTurn } from "../src/widget/contract.js";
import type { WidgetOptions } from "../src/widget/options.js";
import { ChatError, type ChatTransport } from "../src/widget/transport.js";

/** Answers every question with one sentence and a `done` carrying `id` (or none). */
class Transport implements ChatTransport {
  readonly votes: WireFeedback[] = [];
  fail = false;
  constructor(private readonly id: string | undefined) {}
  async *stream(_question: { message: string; history: WireTurn[] }): AsyncGenerator<ChatEvent> {
    yield { type: "delta", text: "An answer." };
    yield { type: "citations", citations: [], grounded: false, mode: "extractive" };
    yield this.id ? { type: "done", id: this.id } : { type: "done" };
  }
  async feedback(vote: WireFeedback): Promise<void> {
    if (this.fail) throw new ChatError("rate_limited", "Too many", 429);
    this.votes.push(vote);
  }
}

const options: WidgetOptions = {
  api: "http://127.0.0.1:9",
  title: "Ask",
  greeting: "Hello!",
  suggestions: [],
  position: "bottom-right",
  open: true,
  mode: "floating",
};

function mount(transport: ChatTransport) {
  const widget = document.createElement("interview-chat") as ChatWidget;
  document.body.append(widget);
  widget.setup(options, transport, sessionStorage);
  const $$ = (selector: string) => [...widget.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
  return { widget, $$ };
}

beforeAll(() => customElements.define("interview-chat", ChatWidget));
beforeEach(() => {
  document.body.replaceChildren();
  sessionStorage.clear();
});

describe("the widget's thumbs", () => {
  it("appear under a finished answer and post the reply's id from the done event; the second click changes the vote", async () => {
    const transport = new Transport("reply-1");
    const { widget, $$ } = mount(transport);
    widget.ask("Anything?");
    await vi.waitFor(() => expect($$(".feedback button")).toHaveLength(2));
    const [up, down] = $$(".feedback button");
    expect(up!.getAttribute("aria-label")).toBe("Helpful");
    expect(down!.getAttribute("aria-pressed")).toBe("false");
    down!.click();
    await vi.waitFor(() => expect(transport.votes).toEqual([{ id: "reply-1", rating: "down" }]));
    expect($$(".feedback button")[1]!.getAttribute("aria-pressed")).toBe("true");
    $$(".feedback button")[0]!.click();
    await vi.waitFor(() => expect(transport.votes.at(-1)).toEqual({ id: "reply-1", rating: "up" }));
    expect($$(".feedback button").map((button) => button.getAttribute("aria-pressed"))).toEqual(["true", "false"]);
  });

  it("show what the server has when a vote fails", async () => {
    const transport = new Transport("reply-2");
    transport.fail = true;
    const { widget, $$ } = mount(transport);
    widget.ask("Anything?");
    await vi.waitFor(() => expect($$(".feedback button")).toHaveLength(2));
    $$(".feedback button")[0]!.click();
    await vi.waitFor(() => expect($$(".feedback button")[0]!.getAttribute("aria-pressed")).toBe("false"));
  });

  it("are not shown when the server sent no id", async () => {
    const { widget, $$ } = mount(new Transport(undefined));
    widget.ask("Anything?");
    await vi.waitFor(() => expect($$(".assistant .text").at(-1)!.textContent).toBe("An answer."));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect($$(".feedback")).toHaveLength(0);
  });
});
