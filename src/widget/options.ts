import { labelsFor, type Labels } from "./labels.js";

/** The widget's settings, read from its `<script>` tag's `data-*` attributes (documented at `/embed` and in docs/widget.md). */
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
  /** `auto` follows the visitor's setting; `light` or `dark` forces one. */
  theme?: "auto" | "light" | "dark";
  /** An image URL shown beside the panel's title. */
  avatar?: string;
  /** The words shown, from `data-lang` and `data-labels`; the placeholder from `data-placeholder`. */
  labels?: Labels;
  /** Where the conversation is kept: the tab's `sessionStorage`, `localStorage`, or nowhere. */
  persist?: "tab" | "local" | "none";
  /** Sent as `sources: [source]` with each question: which interview to answer from. */
  source?: string;
  /** A CSS selector for an `<audio>` or `<video>` on the page, which a quote's time seeks. */
  media?: string;
}

/**
 * Reads the options from a script tag's dataset. `scriptSrc` is the script's URL (its origin is
 * the default API), `pageUrl` the page's, against which a relative `data-api` is resolved.
 */
export function readOptions(
  dataset: Record<string, string | undefined>,
  scriptSrc: string | undefined,
  pageUrl: string,
): WidgetOptions {
  const text = (value: string | undefined) => (value && value.trim() !== "" ? value.trim() : undefined);
  const api = text(dataset.api)
    ? new URL(text(dataset.api)!, pageUrl).href
    : new URL(scriptSrc || pageUrl, pageUrl).origin;
  const flag = (value: string | undefined) => value !== undefined && !/^(false|0|no|off)$/i.test(value.trim());
  let overrides: unknown = {};
  try {
    overrides = JSON.parse(text(dataset.labels) ?? "{}");
  } catch {
    console.warn("InterviewChat: data-labels is not JSON; using the default labels");
  }
  const labels = labelsFor(text(dataset.lang), overrides);
  if (text(dataset.placeholder)) labels.placeholder = text(dataset.placeholder)!;
  const theme = text(dataset.theme);
  const persist = text(dataset.persist);
  return {
    api: api.replace(/\/+$/, ""),
    title: text(dataset.title) ?? labels.title,
    greeting: text(dataset.greeting) ?? labels.greeting,
    suggestions: (dataset.suggestions ?? "")
      .split("|")
      .map((question) => question.trim())
      .filter((question) => question !== ""),
    ...(text(dataset.accent) ? { accent: text(dataset.accent)! } : {}),
    position: dataset.position?.trim() === "bottom-left" ? "bottom-left" : "bottom-right",
    open: flag(dataset.open),
    mode: dataset.mode?.trim() === "inline" ? "inline" : "floating",
    ...(text(dataset.target) ? { target: text(dataset.target)! } : {}),
    theme: theme === "light" || theme === "dark" ? theme : "auto",
    ...(text(dataset.avatar) ? { avatar: new URL(text(dataset.avatar)!, pageUrl).href } : {}),
    labels,
    persist: persist === "local" || persist === "none" ? persist : "tab",
    ...(text(dataset.source) ? { source: text(dataset.source)! } : {}),
    ...(text(dataset.media) ? { media: text(dataset.media)! } : {}),
  };
}
