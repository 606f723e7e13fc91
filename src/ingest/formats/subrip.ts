import { parseSync } from "subtitle";
import { FormatError } from "../../errors.js";
import { cueText, type TimedCue } from "./cue-text.js";
import type { ReadableSource, SourceFormat } from "./types.js";

const references: Record<string, string> = {
  "&gt;": ">",
  "&lt;": "<",
  "&amp;": "&",
  "&quot;": '"',
  "&#39;": "'",
  "&apos;": "'",
  "&nbsp;": " ",
};

/**
 * SubRip, read by the `subtitle` package: the spoken words of its cues (see cueText), each cue a
 * time span; `>>` or a dialogue dash starts a turn (">> JOHN: …" names the speaker), and formatting
 * tags (`<i>`, `<font>`, `{\an8}`) never reach the text.
 */
export const subrip: SourceFormat = {
  name: "srt",
  extensions: [".srt"],
  read(content, fileName): ReadableSource {
    let nodes: ReturnType<typeof parseSync>;
    try {
      nodes = parseSync(content);
    } catch (error) {
      // The parser's message quotes the line it choked on; name the line only.
      const row = /at row (\d+)/.exec((error as Error).message)?.[1];
      const where = row ? ` (line ${row})` : "";
      throw new FormatError(`${fileName} is not a SubRip file: expected a cue timing "00:00:01,000 --> …"${where}`, {
        cause: error,
      });
    }
    const cues: TimedCue[] = nodes.flatMap((node) =>
      node.type === "cue"
        ? [{ startSeconds: node.data.start / 1000, endSeconds: node.data.end / 1000, text: plainCue(node.data.text) }]
        : [],
    );
    if (cues.length === 0) throw new FormatError(`${fileName} holds no SubRip cue`);
    const { text, times, turns } = cueText(cues);
    if (text === "") throw new FormatError(`${fileName}: its SubRip cues hold no words`);
    return turns ? { text, metadata: {}, turns, times } : { text, metadata: {}, times };
  },
};

/** A cue's words without SubRip's HTML-like tags and SSA overrides; some tools write ">>" as "&gt;&gt;". */
function plainCue(text: string): string {
  return text
    .replace(/[\ue000\ue001]/g, "")
    .replace(/<\/?[a-z][^>]*>/gi, "")
    .replace(/\{\\[^}]*\}/g, "")
    .replace(/&(?:gt|lt|amp|quot|apos|nbsp|#39);/g, (reference) => references[reference] ?? reference);
}
