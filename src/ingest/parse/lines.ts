/** A line of the source: `text.slice(start, end)`, without its line break (CR included). */
export interface Line {
  start: number;
  end: number;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
    lines.push({ start, end: text[newline - 1] === "\r" ? newline - 1 : newline });
    start = newline + 1;
  }
  lines.push({ start, end: text.length });
  return lines;
}

/** The words of a stretch of text (for the length rules: short follow-ups, greetings, menus). */
export function wordCount(text: string): number {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu)?.length ?? 0;
}
