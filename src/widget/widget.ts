/**
 * The embeddable widget, bundled into `/widget.js`:
 *
 *   <script src="https://HOST/widget.js" defer></script>
 *
 * Reads its options from the script tag's `data-*` attributes, adds one `<interview-chat>`
 * element and one global, `InterviewChat` ({ open, close, ask }). Nothing else is global.
 */
import { ChatWidget } from "./chat-widget.js";
import { readOptions } from "./options.js";
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

const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');

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
      console.warn(`InterviewChat: data-target "${options.target ?? ""}" matches no element; showing the floating widget`);
      options.mode = "floating";
    }
    (target ?? document.body).append(widget);
    widget.setup(options, createTransport({ api: options.api }), sessionStorageOrNull());
    mounted = true;
    for (const action of pending.splice(0)) action();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount, { once: true });
  else mount();
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    // Blocked storage throws on access: the conversation is then not kept across reloads.
    return null;
  }
}
