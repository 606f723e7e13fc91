type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children. Strings become text nodes, so data is never
 * parsed as HTML: the widget has no `innerHTML` anywhere.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** A 24×24 stroked icon from one SVG path, hidden from assistive technology (its button has a label). */
export function icon(path: string): SVGSVGElement {
  const namespace = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(namespace, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const shape = document.createElementNS(namespace, "path");
  shape.setAttribute("d", path);
  svg.append(shape);
  return svg;
}

export const icons = {
  chat: "M4 5h16v11H9l-5 4z",
  close: "M6 6l12 12M18 6L6 18",
  send: "M4 12l16-8-6 16-3-7z",
  stop: "M7 7h10v10H7z",
  copy: "M9 9h11v11H9zM5 15H4V4h11v1",
  clear: "M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13",
  up: "M7 11v9H4v-9zM7 11l4-8c1.7 0 2.5 1 2 3l-1 4h6c1 0 2 1 1.7 2.2l-1.7 6.5c-.3 .8-1 1.3-1.8 1.3H7",
  down: "M17 13V4h3v9zM17 13l-4 8c-1.7 0-2.5-1-2-3l1-4H6c-1 0-2-1-1.7-2.2L6 5.3C6.3 4.5 7 4 7.8 4H17",
};
