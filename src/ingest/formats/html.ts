import { parseDocument } from "htmlparser2";
import { FormatError } from "../../errors.js";
import { articleBlocks, type HtmlBlock } from "./html-blocks.js";
import { htmlMetadata } from "./html-metadata.js";
import { questionTurns, type LaidOutBlock } from "./question-turns.js";
import { hasSpeakerTags } from "./speaker-tags.js";
import type { ReadableSource, SourceFormat, Turn } from "./types.js";

/**
 * HTML: the article's text, one paragraph per block, blank lines between (see articleBlocks), and
 * the page's metadata. Questions set in bold or as headings become turns; a page whose paragraphs
 * open with speaker tags ("<b>Q:</b> …") reads as "Q: …" and is left to the text parser.
 */
export const html: SourceFormat = {
  name: "html",
  extensions: [".html", ".htm"],
  read(content, fileName): ReadableSource {
    // htmlparser2 reads any text as HTML; a file with no element at all is not a page.
    if (!/<[a-z!][^>]*>/i.test(content)) throw new FormatError(`${fileName} holds no HTML element`);
    const document = parseDocument(content);
    const { blocks, root, title } = articleBlocks(document);
    if (blocks.length === 0) throw new FormatError(`${fileName} has no readable text outside its page furniture`);
    let text = "";
    const laidOut: Array<LaidOutBlock & { block: HtmlBlock }> = [];
    for (const block of blocks) {
      if (text !== "") text += "\n\n";
      laidOut.push({ start: text.length, end: text.length + block.text.length, block });
      text += block.text;
    }
    const metadata = htmlMetadata(document, root, title);
    const turns = hasSpeakerTags(text) ? undefined : markQuestions(laidOut, text);
    return turns ? { text, metadata, turns } : { text, metadata };
  },
};

type Kind = "heading" | "strong" | "em";
const asks = (text: string) => text.includes("?");

/**
 * Finds the questions of a page that sets them apart by layout: a kind of paragraph (h2–h4
 * headings that ask, wholly bold, wholly italic, or opening with a bold question) counts when it
 * occurs at least twice and at least half its paragraphs ask something. Lead-ins of that kind before the
 * first real question ("<em>Edited for length.</em>") and those with no answer after them are not questions.
 */
function markQuestions(blocks: Array<LaidOutBlock & { block: HtmlBlock }>, text: string): Turn[] | undefined {
  const candidates = new Map<number, { kind: Kind; end: number }>();
  blocks.forEach(({ block, start, end }, index) => {
    // The title is never a question; a heading asks only when it says so ("Early years" is a section).
    if (block.tag === "h1") return;
    if (/^h[2-4]$/.test(block.tag)) {
      if (asks(block.text)) candidates.set(index, { kind: "heading", end });
    } else if (block.lead?.whole) candidates.set(index, { kind: block.lead.kind, end });
    else if (block.lead && /\?["'”’)\]]*$/.test(block.text.slice(0, block.lead.length)))
      candidates.set(index, { kind: block.lead.kind, end: start + block.lead.length });
  });
  const chosen = new Set<Kind>();
  for (const kind of ["heading", "strong", "em"] as const) {
    const ofKind = [...candidates].filter(([, candidate]) => candidate.kind === kind);
    const asking = ofKind.filter(([index, candidate]) => asks(text.slice(blocks[index]!.start, candidate.end)));
    if (ofKind.length >= 2 && asking.length * 2 >= ofKind.length) chosen.add(kind);
  }
  const questions = [...candidates].filter(([, candidate]) => chosen.has(candidate.kind));
  const firstAsking = questions.find(([index, candidate]) => asks(text.slice(blocks[index]!.start, candidate.end)));
  if (!firstAsking) return undefined;
  const isQuestion = new Set<number>();
  for (const [position, [index, candidate]] of questions.entries()) {
    if (index < firstAsking[0]) continue;
    const asksSomething = asks(text.slice(blocks[index]!.start, candidate.end));
    const next = questions[position + 1]?.[0] ?? blocks.length;
    const answered = candidate.end < blocks[index]!.end || next > index + 1;
    if (asksSomething || answered) isQuestion.add(index);
  }
  const laidOut = blocks.map(({ start, end, block }, index): LaidOutBlock => {
    const candidate = candidates.get(index);
    if (isQuestion.has(index) && candidate) return { start, end, question: { start, end: candidate.end } };
    // A section heading that does not ask ("Early years") closes the answer before it.
    return { start, end, boundary: /^h[2-6]$/.test(block.tag) };
  });
  const turns = questionTurns(text, laidOut, { interviewer: null, interviewee: null });
  return turns.length > 0 ? turns : undefined;
}
