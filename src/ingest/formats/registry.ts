import path from "node:path";
import { html } from "./html.js";
import { markdown } from "./markdown.js";
import { plainText } from "./plain-text.js";
import { subrip } from "./subrip.js";
import type { SourceFormat } from "./types.js";
import { webvtt } from "./webvtt.js";

/** Every format a data folder's file may be in. */
export const formats: readonly SourceFormat[] = [plainText, markdown, html, webvtt, subrip];

/** The format a file's extension names ("Talk.MD" is Markdown); undefined for any other file. */
export function formatFor(fileName: string): SourceFormat | undefined {
  const extension = path.extname(fileName).toLowerCase();
  return formats.find((format) => format.extensions.includes(extension));
}
