import matter from "gray-matter";
import { FormatError } from "../../errors.js";
import { compactMetadata, readDate, readText } from "./metadata.js";
import { renderMarkdown } from "./markdown-text.js";
import { questionTurns } from "./question-turns.js";
import { hasSpeakerTags } from "./speaker-tags.js";
import type { ReadableSource, SourceFormat, SourceMetadata } from "./types.js";

// "## Why did you leave?" — a heading that asks, with any closing quote or bracket after the mark.
const asks = /\?["'”’)\]]*$/;

/**
 * Markdown: YAML front matter for the metadata, and the body's readable text (see renderMarkdown).
 * An interview whose questions are headings and whose speakers are not tagged gets its turns
 * from the headings; a tagged one ("**Q:** …") is left to the text parser.
 */
export const markdown: SourceFormat = {
  name: "markdown",
  extensions: [".md", ".markdown"],
  read(content, fileName): ReadableSource {
    const { body, metadata } = readFrontMatter(content, fileName);
    const { text, blocks } = renderMarkdown(body);
    const source: ReadableSource = { text, metadata };
    if (hasSpeakerTags(text)) return source;
    const isQuestion = (block: (typeof blocks)[number]) =>
      block.depth !== undefined && block.depth >= 2 && asks.test(text.slice(block.start, block.end));
    if (!blocks.some(isQuestion)) return source;
    const laidOut = blocks.map((block) =>
      isQuestion(block)
        ? { ...block, question: { start: block.start, end: block.end } }
        : // A heading that does not ask ("## Early years") or a rule closes the answer before it.
          { ...block, boundary: block.depth !== undefined || block.rule === true },
    );
    const speakers = { interviewer: metadata.interviewer ?? null, interviewee: metadata.interviewee ?? null };
    return { ...source, turns: questionTurns(text, laidOut, speakers) };
  },
};

function readFrontMatter(content: string, fileName: string): { body: string; metadata: SourceMetadata } {
  let parsed: matter.GrayMatterFile<string>;
  try {
    // An options object, even empty, keeps gray-matter from caching results by content.
    parsed = matter(content, {});
  } catch (error) {
    // js-yaml's message quotes the offending lines; name the line only.
    const line = (error as { mark?: { line?: number } }).mark?.line;
    const where = typeof line === "number" ? ` (line ${line + 1})` : "";
    throw new FormatError(`${fileName}: its front matter is not valid YAML${where}`, { cause: error });
  }
  const data: unknown = parsed.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new FormatError(`${fileName}: its front matter is not a list of "field: value" lines`);
  }
  const fields = data as Record<string, unknown>;
  const metadata = compactMetadata({
    title: readText(fields.title),
    interviewee: readText(fields.interviewee),
    interviewer: readText(fields.interviewer),
    outlet: readText(fields.outlet),
    date: readDate(fields.date),
  });
  return { body: parsed.content, metadata };
}
