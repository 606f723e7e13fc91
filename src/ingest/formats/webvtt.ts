import { createRequire } from "node:module";
import { FormatError } from "../../errors.js";
import { cueText, voice, type TimedCue } from "./cue-text.js";
import { compactMetadata, readDate } from "./metadata.js";
import type { ReadableSource, SourceFormat } from "./types.js";

/** The cue text tree of the W3C parser (webvtt-parser ships no types). */
interface CueNode {
  type: "text" | "object" | "timestamp";
  /** For text, the words (character references decoded); for a `<v>` object, the voice's name. */
  value?: string | number;
  /** "v", "c", "i", "b", "u", "ruby", "rt", "lang". */
  name?: string;
  children?: CueNode[];
}
interface ParsedVtt {
  cues: Array<{ startTime: number; endTime: number; tree: { children: CueNode[] } }>;
  errors: Array<{ message: string; line: number }>;
}
interface WebVttParserModule {
  WebVTTParser: new (entities?: Record<string, string>) => { parse(input: string, mode?: string): ParsedVtt };
}

// webvtt-parser is CommonJS without named ESM exports, and its built-in list of character
// references garbles "&amp;" ("&;"); the full list it ships reads every reference right.
const require = createRequire(import.meta.url);
const { WebVTTParser } = require("webvtt-parser") as WebVttParserModule;
const entities = require("webvtt-parser/html-entities.json") as Record<string, string>;

const signatureError = /signature/i;
const noteField = /^[ \t]*(title|interviewee|interviewer|outlet|date)[ \t]*:[ \t]*(\S.*?)[ \t]*$/gim;

/**
 * WebVTT, read by the W3C's parser: the spoken words of its cues (see cueText), each `<v Name>`
 * run a turn of that speaker, each cue a time span. Metadata comes from NOTE blocks that say
 * "Title: …", "Interviewee: …" and the like.
 */
export const webvtt: SourceFormat = {
  name: "vtt",
  extensions: [".vtt"],
  read(content, fileName): ReadableSource {
    const parsed = new WebVTTParser(entities).parse(content);
    if (parsed.errors.some((error) => error.line === 1 && signatureError.test(error.message))) {
      throw new FormatError(`${fileName} is not a WebVTT file: it does not start with "WEBVTT"`);
    }
    if (parsed.cues.length === 0) throw new FormatError(`${fileName} holds no WebVTT cue`);
    const cues: TimedCue[] = parsed.cues.map((cue) => ({
      startSeconds: cue.startTime,
      endSeconds: cue.endTime,
      text: cue.tree.children.map(nodeText).join(""),
    }));
    const { text, times, turns } = cueText(cues);
    if (text === "") throw new FormatError(`${fileName}: its WebVTT cues hold no words`);
    const metadata = noteMetadata(content);
    return turns ? { text, metadata, turns, times } : { text, metadata, times };
  },
};

function nodeText(node: CueNode): string {
  // A voice marker's characters in the file itself are no voice (see `voice`).
  if (node.type === "text") return String(node.value ?? "").replace(/[\ue000\ue001]/g, "");
  // Inline timings (karaoke) and ruby annotations are not words anyone says.
  if (node.type === "timestamp" || node.name === "rt") return "";
  const inner = (node.children ?? []).map(nodeText).join("");
  return node.name === "v" ? voice(String(node.value ?? "")) + inner : inner;
}

/** "NOTE\nTitle: …\nInterviewee: …" blocks; the parser skips NOTE blocks, so they are read here. */
function noteMetadata(content: string) {
  const fields = new Map<string, string>();
  for (const block of content.split(/\r?\n[ \t]*\r?\n/)) {
    if (!/^\s*NOTE(?:$|[ \t\r\n])/.test(block)) continue;
    for (const match of block.replace(/^\s*NOTE/, "").matchAll(noteField)) {
      const key = match[1]!.toLowerCase();
      if (!fields.has(key)) fields.set(key, match[2]!);
    }
  }
  return compactMetadata({
    title: fields.get("title"),
    interviewee: fields.get("interviewee"),
    interviewer: fields.get("interviewer"),
    outlet: fields.get("outlet"),
    date: readDate(fields.get("date")),
  });
}
