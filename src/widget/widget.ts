/**
 * The embeddable widget, bundled into `/widget.js`:
 *
 *   <script src="https://HOST/widget.js" defer></script>
 *
 * Reads its options from the script tag's `data-*` attributes, adds one `<interview-chat>`
 * element and one global, `InterviewChat` ({ open, close, ask }). Nothing else is global.
 */
import { ChatWidget } from "./chat-widget.js";
import { readOptions, type WidgetOptions } from "./options.js";
import { createTransport } from "./transport.js";

interface InterviewChatApi {
  open(): void;
  close(): void;
  ask(text: string): void;
}

declare global {
  interface Window {
    InterviewChat?: InterviewChatApi;
  }
}

const script =
  (document.currentScript as HTMLScriptElement | null) ??
  document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');

if (!window.InterviewChat) {
  const options = readOptions({ ...script?.dataset }, script?.src, location.href);
  if (!customElements.get("interview-chat")) customElements.define("interview-chat", ChatWidget);
  const widget = document.createElement("interview-chat") as ChatWidget;

  // Calls made before the page has finished loading wait until the widget is set up.
  let mounted = false;
  const pending: Array<() => void> = [];
  const whenMounted = (action: () => void) => (mounted ? action() : pending.push(action));
  window.InterviewChat = Object.freeze({
    open: () => whenMounted(() => widget.open()),
    close: () => whenMounted(() => widget.close()),
    ask: (text: string) => whenMounted(() => widget.ask(String(text))),
  });

  const mount = () => {
    const target = options.mode === "inline" && options.target ? document.querySelector(options.target) : null;
    if (options.mode === "inline" && !target) {
      console.warn(
        `InterviewChat: data-target "${options.target ?? ""}" matches no element; showing the floating widget`,
      );
      options.mode = "floating";
    }
    // Floating, it hangs off <html>, not <body>: a host's `body { transform: … }` (or filter, contain)
    // would make the body the box its position: fixed is relative to, pushing it off-screen.
    (target ?? document.documentElement).append(widget);
    const transport = createTransport({ api: options.api });
    widget.setup(options, transport, storageFor(options.persist));
    mounted = true;
    for (const action of pending.splice(0)) action();
    // Once per page, for pages on other origins: may this one ask at all? Better told now than after a first question.
    if (new URL(options.api).origin !== location.origin) {
      void transport.check?.().then((state) => {
        if (state !== "refused") return;
        console.warn(
          `InterviewChat: ${options.api} does not allow pages on ${location.origin} to ask. To allow them, start the server with ALLOWED_ORIGINS=${location.origin} (comma-separated, beside any origins already listed).`,
        );
        widget.unavailable();
      });
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount, { once: true });
  else mount();
}

/** `data-persist`: the tab's sessionStorage (default), localStorage, or none. */
function storageFor(persist: WidgetOptions["persist"]): Storage | null {
  try {
    return persist === "none" ? null : persist === "local" ? window.localStorage : window.sessionStorage;
  } catch {
    // Blocked storage throws on access: the conversation is then not kept across reloads.
    return null;
  }
}
