import path from "node:path";
import type { BinaryFormat, SourceFormat } from "./types.js";

/** A format as the registry knows it before its module (and its parser) is loaded. */
export interface FormatEntry {
  name: string;
  extensions: readonly string[];
  /** True when the format reads the file's bytes (a BinaryFormat), not its text as UTF-8. */
  binary?: true;
  /** Loads the format's module: a corpus of .txt files never loads the HTML, Markdown, subtitle, Word or PDF parsers. */
  load(): Promise<SourceFormat | BinaryFormat>;
}

/**
 * Every format a data folder's file may be in. The parsers load on first use: imported at start,
 * the first five cost about 250 ms (htmlparser2's entity tables, mdast, gray-matter) on every server
 * start, and mammoth and PDF.js some 300 ms each.
 */
export const formats: readonly FormatEntry[] = [
  { name: "txt", extensions: [".txt"], load: async () => (await import("./plain-text.js")).plainText },
  { name: "markdown", extensions: [".md", ".markdown"], load: async () => (await import("./markdown.js")).markdown },
  { name: "html", extensions: [".html", ".htm"], load: async () => (await import("./html.js")).html },
  { name: "vtt", extensions: [".vtt"], load: async () => (await import("./webvtt.js")).webvtt },
  { name: "srt", extensions: [".srt"], load: async () => (await import("./subrip.js")).subrip },
  { name: "docx", extensions: [".docx"], binary: true, load: async () => (await import("./docx.js")).docx },
  { name: "pdf", extensions: [".pdf"], binary: true, load: async () => (await import("./pdf.js")).pdf },
];

/** The format a file's extension names ("Talk.MD" is Markdown); undefined for any other file. */
export function formatFor(fileName: string): FormatEntry | undefined {
  const extension = path.extname(fileName).toLowerCase();
  return formats.find((format) => format.extensions.includes(extension));
}
