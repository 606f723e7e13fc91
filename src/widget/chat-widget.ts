import { spokenAnswer } from "./answer-segments.js";
import { citationEvent, limits, type CitationEventDetail, type WireCitation } from "./contract.js";
import { conversationStore, historyOf, type AssistantMessage, type Message } from "./conversation.js";
import { h, icon, icons } from "./dom.js";
import type { WidgetOptions } from "./options.js";
import { friendlyError, renderAnswerText, renderCitationCard, renderSuggestions, stateNotes } from "./render.js";
import { styles } from "./styles.js";
import { ChatError, type ChatTransport } from "./transport.js";

/**
 * `<interview-chat>`: the launcher and the chat panel, in a shadow root. Configure it once with
 * `setup()` after it is created; it talks to the server only through the transport it is given.
 */
export class ChatWidget extends HTMLElement {
  private options!: WidgetOptions;
  private transport!: ChatTransport;
  private store!: ReturnType<typeof conversationStore>;
  private messages: Message[] = [];
  private controller: AbortController | null = null;
  private root!: HTMLElement;
  private launcher!: HTMLButtonElement;
  private panel!: HTMLElement;
  private log!: HTMLElement;
  private suggestions!: HTMLElement;
  private input!: HTMLTextAreaElement;
  private sendButton!: HTMLButtonElement;
  private stopButton!: HTMLButtonElement;
  private live!: HTMLElement;
  private readonly elements = new Map<AssistantMessage, HTMLElement>();

  setup(options: WidgetOptions, transport: ChatTransport, storage: Storage | null): void {
    this.options = options;
    this.transport = transport;
    this.store = conversationStore(storage, `interview-chat:${options.api}`);
    this.messages = this.store.load();
    this.build();
    this.renderLog();
    if (options.mode === "inline" || options.open) this.open({ focus: false });
  }

  /** Opens the panel and puts the cursor in the question box (unless `focus` is false). */
  open({ focus = true }: { focus?: boolean } = {}): void {
    this.panel.hidden = false;
    this.root.classList.add("open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.scrollToEnd();
    if (focus) this.input.focus();
  }

  /** Closes a floating panel and gives focus back to the launcher. Inline panels stay open. */
  close(): void {
    if (this.options.mode === "inline" || this.panel.hidden) return;
    this.panel.hidden = true;
    this.root.classList.remove("open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  }

  /** Asks a question, opening the panel; a question still being answered is stopped first. */
  ask(question: string): void {
    const message = question.trim().slice(0, limits.message);
    if (message === "") return;
    this.controller?.abort();
    this.open({ focus: false });
    void this.run(message);
  }

  private build(): void {
    const shadow = this.attachShadow({ mode: "open" });
    const { title, position, mode, accent } = this.options;
    // Inline, the widget fills its target; an inline style holds against the page's rules for the element.
    if (mode === "inline") this.style.cssText = "display:block;height:100%";
    this.root = h("div", { class: `root ${mode} ${position === "bottom-left" ? "left" : "right"}` });
    if (accent && (typeof CSS === "undefined" || CSS.supports("color", accent))) this.root.style.setProperty("--ic-accent", accent);

    this.launcher = h("button", { type: "button", class: "launcher", "aria-label": `Open chat: ${title}`, "aria-expanded": "false", "aria-controls": "panel" }, icon(icons.chat));
    this.launcher.hidden = mode === "inline";
    this.launcher.addEventListener("click", () => (this.panel.hidden ? this.open() : this.close()));

    const clear = h("button", { type: "button", class: "icon-button", "aria-label": "Clear conversation", title: "Clear conversation" }, icon(icons.clear));
    clear.addEventListener("click", () => this.clear());
    const close = h("button", { type: "button", class: "icon-button", "aria-label": "Close chat", title: "Close" }, icon(icons.close));
    close.addEventListener("click", () => this.close());
    close.hidden = mode === "inline";

    this.log = h("div", { class: "log", role: "region", "aria-label": "Conversation", tabindex: 0 });
    this.suggestions = h("div", { class: "suggestions", role: "group", "aria-label": "Suggested questions" });
    for (const suggestion of this.options.suggestions) {
      const button = h("button", { type: "button", class: "suggestion" }, suggestion);
      button.addEventListener("click", () => this.ask(suggestion));
      this.suggestions.append(button);
    }

    this.input = h("textarea", { id: "question", rows: 1, maxlength: limits.message, placeholder: "Ask about the interview…", autocomplete: "off" });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.fitInput());
    this.sendButton = h("button", { type: "submit", class: "send", "aria-label": "Send question", title: "Send" }, icon(icons.send));
    this.stopButton = h("button", { type: "button", class: "stop", "aria-label": "Stop answering", title: "Stop" }, icon(icons.stop));
    this.stopButton.hidden = true;
    this.stopButton.addEventListener("click", () => {
      this.controller?.abort();
      this.input.focus();
    });
    const form = h("form", {}, h("label", { for: "question", class: "sr-only" }, "Your question"), this.input, this.sendButton, this.stopButton);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });

    this.live = h("div", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true" });
    this.panel = h(
      "section",
      { id: "panel", class: "panel", role: mode === "inline" ? "region" : "dialog", "aria-labelledby": "title" },
      // A div, not <header>: inside a host page's <body> that would be a second banner landmark.
      h("div", { class: "header" }, h("h2", { id: "title" }, title), clear, close),
      this.log,
      this.suggestions,
      form,
      this.live,
    );
    this.panel.hidden = true;
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && mode !== "inline") {
        event.preventDefault();
        this.close();
      }
    });
    this.root.append(this.launcher, this.panel);

    // A constructed stylesheet is not subject to the host page's CSP style-src; older browsers get a <style>.
    if ("adoptedStyleSheets" in shadow && typeof CSSStyleSheet !== "undefined" && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(styles);
      shadow.adoptedStyleSheets = [sheet];
    } else {
      shadow.append(h("style", {}, styles));
    }
    shadow.append(this.root);
  }

  private submit(): void {
    const question = this.input.value;
    if (question.trim() === "" || this.controller) return;
    this.input.value = "";
    this.fitInput();
    this.ask(question);
  }

  private async run(question: string): Promise<void> {
    const history = historyOf(this.messages);
    const answer: AssistantMessage = { role: "assistant", text: "", question, status: "streaming", citations: [] };
    this.messages.push({ role: "user", text: question }, answer);
    this.renderLog();
    const controller = new AbortController();
    this.controller = controller;
    this.setBusy(true);
    this.store.save(this.messages);
    try {
      for await (const event of this.transport.stream({ message: question, history }, controller.signal)) {
        if (event.type === "delta") answer.text += event.text;
        else if (event.type === "citations") {
          answer.citations = event.citations;
          answer.grounded = event.grounded;
          if (event.kind) answer.kind = event.kind;
          if (event.claims) answer.claims = event.claims;
          if (event.degraded) answer.degraded = true;
        } else if (event.type === "suggestions") answer.suggestions = event.suggestions;
        else if (event.type === "done") {
          answer.status = "done";
          if (event.id) answer.id = event.id;
        }
        this.update(answer);
      }
    } catch (error) {
      if (controller.signal.aborted) answer.status = "stopped";
      else {
        answer.status = "error";
        answer.error =
          error instanceof ChatError
            ? { code: error.code, message: error.message, status: error.status, ...(error.retryAfter ? { retryAfter: error.retryAfter } : {}) }
            : { code: "client_error", message: String(error), status: 0 };
        if (answer.error.code === "network" && new URL(this.options.api).origin !== location.origin) {
          // A refused CORS request looks like an unreachable server to scripts; tell the site's owner the likely cause.
          console.warn(`InterviewChat: cannot reach ${this.options.api}. If it is up, add ${location.origin} to its ALLOWED_ORIGINS.`);
        }
      }
    }
    answer.text = answer.text.trim();
    if (this.controller === controller) {
      this.controller = null;
      this.setBusy(false);
    }
    // A cleared conversation no longer holds this answer.
    if (!this.messages.includes(answer)) return;
    this.update(answer);
    this.store.save(this.messages);
    this.announce(answer);
  }

  private retry(answer: AssistantMessage): void {
    const index = this.messages.indexOf(answer);
    if (index > 0) this.messages.splice(index - 1, 2);
    this.ask(answer.question);
    this.input.focus();
  }

  private clear(): void {
    this.controller?.abort();
    this.messages = [];
    this.store.clear();
    this.renderLog();
    this.live.textContent = "Conversation cleared.";
    this.input.focus();
  }

  private setBusy(busy: boolean): void {
    // The focused button is about to be hidden: hand focus to its counterpart.
    const focused = this.shadowRoot?.activeElement;
    this.log.setAttribute("aria-busy", String(busy));
    this.sendButton.hidden = busy;
    this.stopButton.hidden = !busy;
    if (busy && focused === this.sendButton) this.stopButton.focus();
    if (!busy && focused === this.stopButton) this.input.focus();
  }

  private announce(answer: AssistantMessage): void {
    const text =
      answer.status === "error"
        ? friendlyError(answer.error!)
        : answer.status === "stopped"
          ? "Stopped."
          : `Answer: ${spokenAnswer(answer.text)}${answer.citations.length ? ` (${answer.citations.length} ${answer.citations.length === 1 ? "citation" : "citations"})` : ""}`;
    this.live.textContent = "";
    // A fresh text node after a tick, so the same words twice are announced twice.
    setTimeout(() => (this.live.textContent = text), 50);
  }

  private renderLog(): void {
    this.elements.clear();
    const greeting = h("div", { class: "message assistant" }, h("p", { class: "text" }, this.options.greeting));
    this.log.replaceChildren(greeting, ...this.messages.map((message) => this.renderMessage(message)));
    this.suggestions.hidden = this.messages.length > 0 || this.options.suggestions.length === 0;
    this.scrollToEnd();
  }

  private update(answer: AssistantMessage): void {
    const old = this.elements.get(answer);
    if (!old) return;
    const stick = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    old.replaceWith(this.renderMessage(answer));
    if (stick) this.scrollToEnd();
  }

  private renderMessage(message: Message): HTMLElement {
    if (message.role === "user") return h("div", { class: "message user" }, h("p", { class: "text" }, h("span", { class: "sr-only" }, "You: "), message.text));
    const id = `answer-${this.messages.indexOf(message)}`;
    const element = h("div", { class: `message assistant${message.status === "error" ? " error" : ""}`, id });
    this.elements.set(message, element);
    if (message.status === "error") {
      const retry = h("button", { type: "button", class: "retry" }, "Try again");
      retry.addEventListener("click", () => this.retry(message));
      element.append(h("p", { class: "text" }, friendlyError(message.error!)), retry);
      return element;
    }
    const text = h("p", { class: "text" });
    if (message.status === "streaming" && message.text === "") {
      text.append(h("span", { class: "typing", role: "status", "aria-label": "Answering" }, h("span"), h("span"), h("span")));
    } else {
      text.append(renderAnswerText(message.text, message.status === "streaming" && message.grounded === undefined ? null : message.citations, id));
    }
    const card = h("div", { class: "card", id: `${id}-card` });
    element.append(text, card);
    if (message.status === "done") {
      element.append(...stateNotes(message));
      const suggestions = renderSuggestions(message.suggestions ?? []);
      if (suggestions) {
        suggestions.addEventListener("click", (event) => {
          const button = (event.target as Element).closest?.("button.suggestion");
          // Suggestions are questions, not markup: their text is asked as it stands.
          if (button?.textContent) this.ask(button.textContent);
        });
        element.append(suggestions);
      }
    }
    if (message.status === "done" && message.id && this.transport.feedback) element.append(this.renderThumbs(message));
    if (message.status === "stopped") element.append(h("p", { class: "status" }, "Stopped."));
    element.addEventListener("click", (event) => {
      const chip = (event.target as Element).closest?.("button.chip");
      if (!chip) return;
      const citation = message.citations.find((candidate) => candidate.n === Number(chip.getAttribute("data-n")));
      if (citation) this.toggleCitation(element, card, chip, citation, message);
    });
    return element;
  }

  /** Two small buttons under a finished answer; a second click changes the vote (the server keeps the last). */
  private renderThumbs(message: AssistantMessage): HTMLElement {
    const group = h("div", { class: "feedback", role: "group", "aria-label": "Was this answer helpful?" });
    for (const rating of ["up", "down"] as const) {
      const label = rating === "up" ? "Helpful" : "Not helpful";
      const button = h("button", { type: "button", class: `thumb ${rating}`, "aria-label": label, title: label, "aria-pressed": String(message.rating === rating) }, icon(icons[rating]));
      button.addEventListener("click", () => void this.rate(message, rating));
      group.append(button);
    }
    return group;
  }

  private async rate(message: AssistantMessage, rating: "up" | "down"): Promise<void> {
    const before = message.rating;
    message.rating = rating;
    this.update(message);
    try {
      await this.transport.feedback!({ id: message.id!, rating });
      this.store.save(this.messages);
      this.live.textContent = "Thanks for the feedback.";
    } catch {
      // Not recorded (offline, rate limited, an expired reply): the buttons show what the server has.
      message.rating = before;
      this.update(message);
    }
  }

  private toggleCitation(element: HTMLElement, card: HTMLElement, chip: Element, citation: WireCitation, message: AssistantMessage): void {
    const opening = chip.getAttribute("aria-expanded") !== "true";
    for (const other of element.querySelectorAll("button.chip")) other.setAttribute("aria-expanded", "false");
    card.replaceChildren();
    if (!opening) return;
    chip.setAttribute("aria-expanded", "true");
    card.append(renderCitationCard(citation, message));
    card.scrollIntoView?.({ block: "nearest", behavior: prefersReducedMotion() ? "auto" : "smooth" });
    const { n, chunkId, section, quote, start, end } = citation;
    document.dispatchEvent(new CustomEvent<CitationEventDetail>(citationEvent, { detail: { n, chunkId, section, quote, start, end } }));
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private fitInput(): void {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 140)}px`;
  }
}

function prefersReducedMotion(): boolean {
  return typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;
}
