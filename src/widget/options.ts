/** The widget's settings, read from its `<script>` tag's `data-*` attributes (documented at `/embed`). */
export interface WidgetOptions {
  /** Origin (or base URL) of the server; default the script's own origin. */
  api: string;
  title: string;
  greeting: string;
  /** One-click questions; `data-suggestions` separates them with `|`. */
  suggestions: string[];
  /** Any CSS colour; ignored when the browser does not take it for one. */
  accent?: string;
  position: "bottom-right" | "bottom-left";
  /** Open the panel on load. */
  open: boolean;
  /** `inline` renders inside `target` instead of floating. */
  mode: "floating" | "inline";
  target?: string;
}

const defaults = {
  title: "Ask the interview",
  greeting: "Hello! Ask me anything about this interview. Every answer cites the interview's own words: select a number to read the quote.",
} as const;

/**
 * Reads the options from a script tag's dataset. `scriptSrc` is the script's URL (its origin is
 * the default API), `pageUrl` the page's, against which a relative `data-api` is resolved.
 */
export function readOptions(dataset: Record<string, string | undefined>, scriptSrc: string | undefined, pageUrl: string): WidgetOptions {
  const text = (value: string | undefined) => (value && value.trim() !== "" ? value.trim() : undefined);
  const api = text(dataset.api) ? new URL(text(dataset.api)!, pageUrl).href : new URL(scriptSrc || pageUrl, pageUrl).origin;
  const flag = (value: string | undefined) => value !== undefined && !/^(false|0|no|off)$/i.test(value.trim());
  return {
    api: api.replace(/\/+$/, ""),
    title: text(dataset.title) ?? defaults.title,
    greeting: text(dataset.greeting) ?? defaults.greeting,
    suggestions: (dataset.suggestions ?? "").split("|").map((question) => question.trim()).filter((question) => question !== ""),
    ...(text(dataset.accent) ? { accent: text(dataset.accent)! } : {}),
    position: dataset.position?.trim() === "bottom-left" ? "bottom-left" : "bottom-right",
    open: flag(dataset.open),
    mode: dataset.mode?.trim() === "inline" ? "inline" : "floating",
    ...(text(dataset.target) ? { target: text(dataset.target)! } : {}),
  };
}
