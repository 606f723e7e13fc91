import { spokenAnswer } from "./answer-segments.js";
import { citationEvent, clearEvent, limits, type CitationEventDetail, type WireCitation } from "./contract.js";
import { conversationStore, historyOf, type AssistantMessage, type Message } from "./conversation.js";
import { h, icon, icons } from "./dom.js";
import { english, fill, type Labels } from "./labels.js";
import type { WidgetOptions } from "./options.js";
import {
  answerRenderer,
  clockTime,
  friendlyError,
  markUnsupported,
  renderCitationCard,
  renderSuggestions,
  stateNotes,
} from "./render.js";
import { styles } from "./styles.js";
import { ChatError, type ChatTransport } from "./transport.js";

/** Where the floating panel fills the screen (styles.ts says the same): narrow, or short like a landscape phone. */
const fullScreen = "(max-width:520px),(max-height:520px)";

/**
 * `<interview-chat>`: the launcher and the chat panel, in a shadow root. Configure it once with
 * `setup()` after it is created; it talks to the server only through the transport it is given.
 */
export class ChatWidget extends HTMLElement {
  private options!: WidgetOptions;
  private labels: Labels = english;
  private transport!: ChatTransport;
  private storage: Storage | null = null;
  private store!: ReturnType<typeof conversationStore>;
  private openKey = "";
  private messages: Message[] = [];
  private controller: AbortController | null = null;
  /** The answer streaming now, and the renderer its deltas are appended with. */
  private current: { answer: AssistantMessage; append(text: string): void } | null = null;
  /** The server refuses this page's origin (the load-time check said so). */
  private refused = false;
  /** A rate-limited answer, and when its wait ends: until then nothing can be asked. */
  private waiting: { answer: AssistantMessage; until: number; timer?: ReturnType<typeof setTimeout> } | null = null;
  /** The countdown under the rate-limited answer, updated each second. */
  private countdown: HTMLElement | null = null;
  /** The page's own overflow styles (html, body), kept while a full-screen panel locks its scrolling. */
  private scrollLock: [string, string] | null = null;
  private root!: HTMLElement;
  private launcher!: HTMLButtonElement;
  private panel!: HTMLElement;
  private confirm!: HTMLElement;
  private clearButton!: HTMLButtonElement;
  private log!: HTMLElement;
  private suggestions!: HTMLElement;
  private input!: HTMLTextAreaElement;
  private sendButton!: HTMLButtonElement;
  private stopButton!: HTMLButtonElement;
  private live!: HTMLElement;
  private readonly elements = new Map<Message, HTMLElement>();
  private readonly ids = new WeakMap<Message, string>();
  private nextId = 0;

  setup(options: WidgetOptions, transport: ChatTransport, storage: Storage | null): void {
    this.options = options;
    this.labels = options.labels ?? english;
    this.transport = transport;
    this.storage = storage;
    const key = `interview-chat:${options.api}`;
    this.store = conversationStore(storage, key);
    this.openKey = `${key}:open`;
    this.messages = this.store.load();
    this.build();
    // A reload in the middle of a rate limit's wait goes on waiting.
    const limited = this.messages.find(
      (message): message is AssistantMessage =>
        message.role === "assistant" && (message.error?.until ?? 0) > Date.now(),
    );
    if (limited) this.wait(limited, limited.error!.until!);
    this.renderLog();
    if (options.mode === "inline" || options.open || this.read(this.openKey) === "1") this.open({ focus: false });
    // A phone turned sideways or back: the panel goes full-screen, or stops being it, while open.
    if (typeof matchMedia === "function") matchMedia(fullScreen).addEventListener?.("change", () => this.lockScroll());
  }

  /** Opens the panel and puts the cursor in the question box (unless `focus` is false). */
  open({ focus = true }: { focus?: boolean } = {}): void {
    this.panel.hidden = false;
    this.root.classList.add("open");
    this.setLauncher(true);
    this.write(this.openKey, "1");
    this.lockScroll();
    this.scrollToEnd();
    if (focus) (this.input.disabled ? this.log : this.input).focus();
  }

  /** Closes a floating panel and gives focus back to the launcher. Inline panels stay open. */
  close(): void {
    if (this.options.mode === "inline" || this.panel.hidden) return;
    this.panel.hidden = true;
    this.root.classList.remove("open");
    this.setLauncher(false);
    this.write(this.openKey, "0");
    this.lockScroll();
    this.launcher.focus();
  }

  /**
   * Asks a question, opening the panel. A question still being answered is stopped first; if no
   * word of its answer had come, it goes altogether, so rapid questions leave no trail of "Stopped.".
   */
  ask(question: string): void {
    const message = question.trim().slice(0, limits.message);
    if (message === "") return;
    // Nothing can be asked: the server refuses this page, or has asked it to wait (the log says which).
    if (this.refused || this.waiting) return this.open({ focus: false });
    const previous = this.current?.answer;
    this.controller?.abort();
    if (previous && previous.text.trim() === "") this.forget(previous);
    this.open({ focus: false });
    void this.run(message);
  }

  /** The server refuses this page: say so to the visitor, once, instead of letting questions fail one by one. */
  unavailable(): void {
    this.refused = true;
    this.syncInput();
    this.renderLog();
  }

  private build(): void {
    const shadow = this.attachShadow({ mode: "open" });
    const { position, mode, accent, theme = "auto" } = this.options;
    // Inline, the widget fills its target; an inline style holds against the page's rules for the element.
    if (mode === "inline") this.style.cssText = "display:block;height:100%";
    // Its own language and direction: a right-to-left host page ("?the European Union") never reaches its text.
    this.root = h("div", {
      class: `root ${mode} ${position === "bottom-left" ? "left" : "right"} ${theme}`,
      lang: this.labels.lang,
      dir: "ltr",
    });
    if (accent && (typeof CSS === "undefined" || CSS.supports("color", accent)))
      this.root.style.setProperty("--ic-accent", accent);
    this.launcher = this.buildLauncher();
    this.panel = this.buildPanel();
    this.root.append(this.launcher, this.panel);
    this.root.addEventListener("keydown", (event) => this.trapFocus(event));
    adoptStyles(shadow);
    shadow.append(this.root);
  }

  private buildLauncher(): HTMLButtonElement {
    const { title, mode } = this.options;
    const launcher = h(
      "button",
      {
        type: "button",
        class: "launcher",
        "aria-label": `${this.labels.open}: ${title}`,
        "aria-expanded": "false",
        "aria-controls": "panel",
      },
      icon(icons.chat),
    );
    launcher.hidden = mode === "inline";
    launcher.addEventListener("click", () => (this.panel.hidden ? this.open() : this.close()));
    return launcher;
  }

  private buildPanel(): HTMLElement {
    const { mode } = this.options;
    const header = this.buildHeader();
    this.confirm = this.buildConfirm();
    this.log = h("div", { class: "log", role: "region", "aria-label": this.labels.conversation, tabindex: 0 });
    this.suggestions = this.buildSuggestions();
    const form = this.buildForm();
    this.live = h("div", { class: "sr-only", "aria-live": "polite", "aria-atomic": "true" });
    const panel = h(
      "section",
      {
        id: "panel",
        class: "panel",
        role: mode === "inline" ? "region" : "dialog",
        "aria-modal": mode === "inline" ? undefined : "true",
        "aria-labelledby": "title",
      },
      header,
      this.confirm,
      this.log,
      this.suggestions,
      form,
      this.live,
    );
    panel.hidden = true;
    panel.addEventListener("keydown", (event) => this.closeInnermost(event));
    return panel;
  }

  private buildHeader(): HTMLElement {
    const { title, mode, avatar } = this.options;
    const { labels } = this;
    this.clearButton = h(
      "button",
      { type: "button", class: "icon-button", "aria-label": labels.clear, title: labels.clear },
      icon(icons.clear),
    );
    this.clearButton.addEventListener("click", () => {
      if (this.messages.length === 0) return;
      this.confirm.hidden = false;
      this.confirm.querySelector<HTMLButtonElement>(".keep")?.focus();
    });
    const close = h(
      "button",
      { type: "button", class: "icon-button", "aria-label": labels.close, title: labels.close },
      icon(icons.close),
    );
    close.addEventListener("click", () => this.close());
    close.hidden = mode === "inline";
    const brand = avatar ? h("img", { class: "avatar", src: avatar, alt: "", width: 28, height: 28 }) : null;
    brand?.addEventListener("error", () => brand.remove());
    // A div, not <header>: inside a host page's <body> that would be a second banner landmark.
    return h("div", { class: "header" }, brand, h("h2", { id: "title" }, title), this.clearButton, close);
  }

  /** Clearing cannot be undone, so it asks first, in the panel (a window.confirm would block the host page). */
  private buildConfirm(): HTMLElement {
    const { labels } = this;
    const yes = h("button", { type: "button", class: "retry yes" }, labels.clearYes);
    const keep = h("button", { type: "button", class: "retry keep" }, labels.clearNo);
    yes.addEventListener("click", () => this.clear());
    keep.addEventListener("click", () => this.cancelClear());
    const confirm = h(
      "div",
      { class: "confirm", role: "group", "aria-labelledby": "confirm-text" },
      h("p", { id: "confirm-text" }, labels.clearAsk),
      yes,
      keep,
    );
    confirm.hidden = true;
    return confirm;
  }

  private buildSuggestions(): HTMLElement {
    const suggestions = h("div", { class: "suggestions", role: "group", "aria-label": this.labels.suggested });
    for (const suggestion of this.options.suggestions) {
      const button = h("button", { type: "button", class: "suggestion" }, suggestion);
      button.addEventListener("click", () => this.ask(suggestion));
      suggestions.append(button);
    }
    return suggestions;
  }

  private buildForm(): HTMLFormElement {
    const { labels } = this;
    this.input = h("textarea", {
      id: "question",
      rows: 1,
      maxlength: limits.message,
      placeholder: labels.placeholder,
      autocomplete: "off",
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.fitInput());
    this.sendButton = h(
      "button",
      { type: "submit", class: "send", "aria-label": labels.send, title: labels.send },
      icon(icons.send),
    );
    this.stopButton = h(
      "button",
      { type: "button", class: "stop", "aria-label": labels.stop, title: labels.stop },
      icon(icons.stop),
    );
    this.stopButton.hidden = true;
    this.stopButton.addEventListener("click", () => {
      this.controller?.abort();
      this.input.focus();
    });
    const form = h(
      "form",
      {},
      h("label", { for: "question", class: "sr-only" }, labels.question),
      this.input,
      this.sendButton,
      this.stopButton,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    return form;
  }

  /** Open, the launcher is the panel's close button (on phones it is hidden: the panel covers it). */
  private setLauncher(open: boolean): void {
    const { labels, launcher } = this;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", open ? labels.close : `${labels.open}: ${this.options.title}`);
    launcher.replaceChildren(icon(open ? icons.close : icons.chat));
  }

  /**
   * The floating panel is modal: while it is open, Tab and Shift+Tab go round the widget (the
   * panel, and the launcher that closes it) and never out to the page behind.
   */
  private trapFocus(event: KeyboardEvent): void {
    if (event.key !== "Tab" || this.options.mode === "inline" || this.panel.hidden) return;
    const stops = [...this.root.querySelectorAll<HTMLElement>("button,textarea,[tabindex='0']")].filter(
      (stop) => !(stop as HTMLButtonElement).disabled && stop.getClientRects().length > 0,
    );
    const at = stops.indexOf(this.shadowRoot!.activeElement as HTMLElement);
    const next = event.shiftKey
      ? at <= 0
        ? stops[stops.length - 1]
        : null
      : at < 0 || at === stops.length - 1
        ? stops[0]
        : null;
    if (!next) return;
    event.preventDefault();
    next.focus();
  }

  /** A full-screen panel (a phone) locks the page behind from scrolling; closing it gives the page its own overflow back. */
  private lockScroll(): void {
    const lock =
      !this.panel.hidden &&
      this.options.mode === "floating" &&
      typeof matchMedia === "function" &&
      matchMedia(fullScreen).matches;
    const html = document.documentElement.style;
    const body = document.body?.style ?? { overflow: "" };
    if (lock && !this.scrollLock) {
      this.scrollLock = [html.overflow, body.overflow];
      html.overflow = body.overflow = "hidden";
    } else if (!lock && this.scrollLock) {
      [html.overflow, body.overflow] = this.scrollLock;
      this.scrollLock = null;
    }
  }

  /** The question box and Send are off while the page is refused or rate limited (its placeholder says why). */
  private syncInput(): void {
    const off = this.refused || this.waiting !== null;
    // A disabled box loses focus to the page: keep it in the panel, on the conversation.
    if (off && this.shadowRoot?.activeElement === this.input) this.log.focus();
    this.input.disabled = this.sendButton.disabled = off;
    // The box says why it is off, even with the message that said so cleared from the log.
    this.input.placeholder = this.refused
      ? this.labels.unavailable
      : this.waiting
        ? this.waitLeft()
        : this.labels.placeholder;
  }

  /**
   * Rate limited: nothing can be asked until the server's Retry-After has passed. A countdown under
   * the message shows what is left; then the question box, Send and "Try again" work again.
   */
  private wait(answer: AssistantMessage, until: number): void {
    clearTimeout(this.waiting?.timer);
    const waiting: NonNullable<ChatWidget["waiting"]> = { answer, until };
    this.waiting = waiting;
    this.syncInput();
    const tick = () => {
      const left = waiting.until - Date.now();
      if (left > 0) {
        this.input.placeholder = this.waitLeft();
        if (this.countdown) this.countdown.textContent = this.input.placeholder;
        waiting.timer = setTimeout(tick, left % 1000 || 1000);
        return;
      }
      this.waiting = null;
      const inLog = this.shadowRoot?.activeElement === this.log;
      this.syncInput();
      this.update(answer);
      if (inLog) this.input.focus();
    };
    waiting.timer = setTimeout(tick, (waiting.until - Date.now()) % 1000 || 1000);
  }

  private waitLeft(): string {
    const left = Math.ceil(((this.waiting?.until ?? 0) - Date.now()) / 1000);
    return fill(this.labels.waitLeft, { time: clockTime(Math.max(0, left)) });
  }

  /** `data-media`: the host page's player goes to the moment a quote is spoken. */
  private seek(seconds: number): void {
    let player: Element | null = null;
    try {
      player = document.querySelector(this.options.media!);
    } catch {
      // Not a selector: said below, as for one that matches nothing.
    }
    if (player instanceof HTMLMediaElement) player.currentTime = seconds;
    else console.warn(`InterviewChat: data-media "${this.options.media}" is not an <audio> or <video> on this page`);
  }

  private closeInnermost(event: KeyboardEvent): void {
    if (event.key !== "Escape") return;
    // The innermost thing first: an open quote, then the question about clearing, then the panel.
    const chip = this.log.querySelector<HTMLButtonElement>('button.chip[aria-expanded="true"]');
    if (chip) {
      chip.click();
      chip.focus();
    } else if (!this.confirm.hidden) this.cancelClear();
    else if (this.options.mode !== "inline") this.close();
    else return;
    event.preventDefault();
  }

  private submit(): void {
    const question = this.input.value;
    if (question.trim() === "") return;
    this.input.value = "";
    this.fitInput();
    this.ask(question);
  }

  private async run(question: string): Promise<void> {
    const history = historyOf(this.messages);
    const answer: AssistantMessage = { role: "assistant", text: "", question, status: "streaming", citations: [] };
    const asked: Message = { role: "user", text: question };
    this.messages.push(asked, answer);
    const questionElement = this.renderMessage(asked);
    this.log.append(questionElement, this.renderMessage(answer));
    this.suggestions.hidden = true;
    // The question at the top and its answer growing under it: the reader starts at its first line, not its last.
    this.log.scrollTop = questionElement.offsetTop - 12;
    const controller = new AbortController();
    this.controller = controller;
    this.setBusy(true);
    this.store.save(this.messages);
    let saved = 0;
    try {
      const sources = this.options.source ? { sources: [this.options.source] } : {};
      for await (const event of this.transport.stream({ message: question, history, ...sources }, controller.signal)) {
        if (event.type === "delta") {
          answer.text += event.text;
          if (this.current?.answer === answer) this.current.append(event.text);
          else this.update(answer);
          // Kept as it grows, so a reload in the middle of an answer keeps what had come.
          if (saved === 0 || answer.text.length - saved > 200) {
            saved = answer.text.length;
            this.store.save(this.messages);
          }
          continue;
        }
        if (event.type === "citations") {
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
        if (event.type === "citations") this.update(answer);
      }
    } catch (error) {
      if (controller.signal.aborted) answer.status = "stopped";
      else {
        answer.status = "error";
        answer.error =
          error instanceof ChatError
            ? {
                code: error.code,
                message: error.message,
                status: error.status,
                ...(error.retryAfter ? { retryAfter: error.retryAfter } : {}),
              }
            : { code: "client_error", message: String(error), status: 0 };
        // The server itself refuses this page (a 403 for its session token): nothing the visitor can do would help.
        if (answer.error.code === "origin_not_allowed") this.refused = true;
        if (answer.error.code === "origin_not_allowed") answer.error.code = "origin_refused";
        if (answer.error.code === "network") {
          if (this.refused) answer.error.code = "origin_refused";
          // Words had come, so the server was there: the connection dropped in the middle.
          else if (answer.text.trim() !== "") answer.error.code = "incomplete";
          else if (new URL(this.options.api).origin !== location.origin) {
            // A refused CORS request looks like an unreachable server to scripts; tell the site's owner the likely cause.
            console.warn(
              `InterviewChat: cannot reach ${this.options.api}. If it is up, add this page's origin to its allowed origins: ALLOWED_ORIGINS=${location.origin}`,
            );
          }
        }
      }
    }
    answer.text = answer.text.trim();
    if (this.controller === controller) {
      this.controller = null;
      this.setBusy(false);
    }
    if (this.current?.answer === answer) this.current = null;
    // A cleared conversation, or a newer question, no longer holds this answer.
    if (!this.messages.includes(answer)) return;
    if (answer.error?.status === 429 && answer.error.retryAfter)
      this.wait(answer, (answer.error.until = Date.now() + answer.error.retryAfter * 1000));
    else this.syncInput();
    this.update(answer);
    this.store.save(this.messages);
    this.announce(answer);
  }

  private retry(answer: AssistantMessage): void {
    this.forget(answer);
    this.ask(answer.question);
    this.input.focus();
  }

  /** Takes an answer and the question before it out of the conversation and the log. */
  private forget(answer: AssistantMessage): void {
    const index = this.messages.indexOf(answer);
    if (index < 0) return;
    const start = index > 0 && this.messages[index - 1]!.role === "user" ? index - 1 : index;
    const removed = this.messages.splice(start, index - start + 1);
    for (const message of removed) {
      this.elements.get(message)?.remove();
      this.elements.delete(message);
    }
    this.store.save(this.messages);
  }

  private cancelClear(): void {
    this.confirm.hidden = true;
    this.clearButton.focus();
  }

  private clear(): void {
    this.controller?.abort();
    this.confirm.hidden = true;
    this.messages = [];
    this.store.clear();
    this.renderLog();
    this.live.textContent = this.labels.cleared;
    // The page's highlight belonged to a quote of this conversation.
    document.dispatchEvent(new CustomEvent(clearEvent));
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
    const { labels } = this;
    const text =
      answer.status === "error"
        ? friendlyError(answer.error!, labels)
        : answer.status === "stopped"
          ? labels.stopped
          : `${labels.answer}${spokenAnswer(answer.text)}${answer.citations.length ? ` (${answer.citations.length} ${answer.citations.length === 1 ? "citation" : "citations"})` : ""}`;
    this.live.textContent = "";
    // A fresh text node after a tick, so the same words twice are announced twice.
    setTimeout(() => (this.live.textContent = text), 50);
  }

  private renderLog(): void {
    this.elements.clear();
    const greeting = h("div", { class: "message assistant" }, h("p", { class: "text" }, this.options.greeting));
    const unavailable = this.refused
      ? h("div", { class: "message assistant error unavailable" }, h("p", { class: "text" }, this.labels.unavailable))
      : null;
    this.log.replaceChildren(
      greeting,
      ...(unavailable ? [unavailable] : []),
      ...this.messages.map((message) => this.renderMessage(message)),
    );
    this.suggestions.hidden = this.refused || this.messages.length > 0 || this.options.suggestions.length === 0;
    this.scrollToEnd();
  }

  /** Renders an answer afresh: when its citations arrive, when it ends, and when its thumbs change; not for each delta. */
  private update(answer: AssistantMessage): void {
    this.elements.get(answer)?.replaceWith(this.renderMessage(answer));
  }

  private renderMessage(message: Message): HTMLElement {
    const { labels } = this;
    let element: HTMLElement;
    if (message.role === "user") {
      element = h(
        "div",
        { class: "message user" },
        h("p", { class: "text" }, h("span", { class: "sr-only" }, labels.you), message.text),
      );
      this.elements.set(message, element);
      return element;
    }
    if (!this.ids.has(message)) this.ids.set(message, `answer-${this.nextId++}`);
    const id = this.ids.get(message)!;
    const failed = message.status === "error" && message.text === "";
    element = h("div", { class: `message assistant${failed ? " error" : ""}`, id });
    this.elements.set(message, element);
    const retry = h("button", { type: "button", class: "retry" }, labels.retry);
    retry.addEventListener("click", () => this.retry(message));
    if (failed) {
      element.append(h("p", { class: "text" }, friendlyError(message.error!, labels)));
      if (this.waiting?.answer === message) {
        element.append((this.countdown = h("p", { class: "status wait" }, this.waitLeft())));
        retry.disabled = true;
      }
      // No "Try again" where trying again cannot work: a page the server refuses.
      if (message.error!.code !== "origin_refused") element.append(retry);
      return element;
    }

    const body = h("div", { class: "text" });
    const card = h("div", { class: "card", id: `${id}-card` });
    element.append(body, card);
    const citations = message.status === "streaming" && message.grounded === undefined ? null : message.citations;
    const { text, unsupported } = markUnsupported(message.text, message.kind === "answer" ? message.claims : undefined);
    const renderer = answerRenderer(body, { citations, idPrefix: id, labels, unsupported });
    renderer.append(text);
    if (message.status === "streaming") {
      let typing: HTMLElement | null = null;
      if (message.text === "")
        body.append(
          (typing = h(
            "span",
            { class: "typing", role: "status", "aria-label": "Answering" },
            h("span"),
            h("span"),
            h("span"),
          )),
        );
      this.current = {
        answer: message,
        append: (delta) => {
          typing?.remove();
          typing = null;
          renderer.append(delta);
        },
      };
    } else renderer.end();

    if (message.status === "done") {
      element.append(...stateNotes(message, labels));
      const suggestions = renderSuggestions(message.suggestions ?? [], labels);
      if (suggestions) {
        suggestions.addEventListener("click", (event) => {
          const button = (event.target as Element).closest?.("button.suggestion");
          // Suggestions are questions, not markup: their text is asked as it stands.
          if (button?.textContent) this.ask(button.textContent);
        });
        element.append(suggestions);
      }
      const actions = h("div", { class: "actions" });
      if (message.text !== "") actions.append(this.renderCopy(message));
      if (message.id && this.transport.feedback) actions.append(this.renderThumbs(message));
      if (actions.firstChild) element.append(actions);
    }
    if (message.status === "stopped") element.append(h("p", { class: "status" }, labels.stopped), retry);
    if (message.status === "error")
      element.append(h("p", { class: "status cut" }, friendlyError(message.error!, labels)), retry);
    element.addEventListener("click", (event) => {
      const chip = (event.target as Element).closest?.("button.chip");
      if (!chip) return;
      const citation = message.citations.find((candidate) => candidate.n === Number(chip.getAttribute("data-n")));
      if (citation) this.toggleCitation(element, card, chip, citation, message);
    });
    return element;
  }

  /** Copies the answer as plain text: no citation markers, no Markdown stars. */
  private renderCopy(message: AssistantMessage): HTMLElement {
    const { labels } = this;
    const button = h(
      "button",
      { type: "button", class: "thumb copy", "aria-label": labels.copy, title: labels.copy },
      icon(icons.copy),
    );
    button.addEventListener("click", async () => {
      const plain = message.text.replace(/\s*\[\d{1,3}\]/g, "").replace(/\*\*?([^*\n]+)\*\*?/g, "$1");
      try {
        await navigator.clipboard.writeText(plain);
        button.setAttribute("title", labels.copied);
        this.live.textContent = labels.copied;
      } catch {
        // No clipboard (an insecure page, a denied permission): the text can still be selected by hand.
      }
    });
    return button;
  }

  /** Two small buttons under a finished answer; a second click changes the vote (the server keeps the last). */
  private renderThumbs(message: AssistantMessage): HTMLElement {
    const group = h("div", { class: "feedback", role: "group", "aria-label": this.labels.rateAsk });
    for (const rating of ["up", "down"] as const) {
      const label = rating === "up" ? this.labels.helpful : this.labels.notHelpful;
      const button = h(
        "button",
        {
          type: "button",
          class: `thumb ${rating}`,
          "aria-label": label,
          title: label,
          "aria-pressed": String(message.rating === rating),
        },
        icon(icons[rating]),
      );
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
      this.live.textContent = this.labels.thanks;
    } catch {
      // Not recorded (offline, rate limited, an expired reply): the buttons show what the server has.
      message.rating = before;
      this.update(message);
    }
  }

  private toggleCitation(
    element: HTMLElement,
    card: HTMLElement,
    chip: Element,
    citation: WireCitation,
    message: AssistantMessage,
  ): void {
    const opening = chip.getAttribute("aria-expanded") !== "true";
    for (const other of element.querySelectorAll("button.chip")) other.setAttribute("aria-expanded", "false");
    card.replaceChildren();
    if (!opening) return;
    chip.setAttribute("aria-expanded", "true");
    // Under the paragraph holding the chip that was clicked, or in its list item, not at the end of a long answer.
    const item = chip.closest("li");
    if (item) item.append(card);
    else chip.closest(".text > *")?.after(card);
    const { n, source, chunkId, section, quote, start, end } = citation;
    const highlight = () =>
      document.dispatchEvent(
        new CustomEvent<CitationEventDetail>(citationEvent, {
          detail: { n, source, chunkId, section, quote, start, end },
        }),
      );
    const seek = this.options.media ? (seconds: number) => this.seek(seconds) : undefined;
    card.append(renderCitationCard(citation, message, this.labels, seek));
    if (this.options.mode === "floating" && typeof matchMedia === "function" && matchMedia(fullScreen).matches) {
      // The panel covers the page: a highlight now would happen out of sight. The reader asks for it.
      const show = h("button", { type: "button", class: "retry show" }, this.labels.showInText);
      show.addEventListener("click", () => {
        this.close();
        highlight();
      });
      card.firstElementChild!.append(show);
    } else highlight();
    card.scrollIntoView?.({ block: "nearest", behavior: prefersReducedMotion() ? "auto" : "smooth" });
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private fitInput(): void {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 140)}px`;
  }

  private read(key: string): string | null {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string): void {
    if (this.options.mode === "inline") return;
    try {
      this.storage?.setItem(key, value);
    } catch {
      // Storage full or blocked: the panel simply opens closed next time.
    }
  }
}

function prefersReducedMotion(): boolean {
  return typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/** A constructed stylesheet is not subject to the host page's CSP style-src; older browsers get a <style>. */
function adoptStyles(shadow: ShadowRoot): void {
  if (
    "adoptedStyleSheets" in shadow &&
    typeof CSSStyleSheet !== "undefined" &&
    "replaceSync" in CSSStyleSheet.prototype
  ) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(styles);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    shadow.append(h("style", {}, styles));
  }
}
