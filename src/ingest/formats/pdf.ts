import { createRequire } from "node:module";
import path from "node:path";
import { getDocument, VerbosityLevel } from "pdfjs-dist/legacy/build/pdf.mjs";
import type { TextItem, TextMarkedContent } from "pdfjs-dist/types/src/display/api.js";
import { FormatError } from "../../errors.js";
import { plainText } from "./plain-text.js";
import type { BinaryFormat, ReadableSource, SourceMetadata } from "./types.js";

/** One line of a page: its text, and the baseline and font size it was set at (in points). */
export interface PdfLine {
  text: string;
  y: number;
  size: number;
  /** The font of all its text (a line all in bold); absent when it mixes fonts. */
  font?: string;
}

// PDF.js's own files, read from its package folder: the predefined CMaps a CJK font's text needs,
// and the standard fonts' metrics. Local files only; nothing is fetched.
const packageFolder = path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));

/**
 * PDF: the text PDF.js finds on each page, laid out again as a reader sees it: a line for each
 * baseline, a blank line where the gap to the next line is wider than the lines' spacing or the
 * font changes (a new paragraph), running headers, footers and page numbers left out. That text is then read as a
 * plain-text transcript is: its speaker tags ("Q:", "JANE DOE:") are the text parser's to find.
 */
export const pdf: BinaryFormat = {
  name: "pdf",
  extensions: [".pdf"],
  binary: true,
  async read(content, fileName): Promise<ReadableSource> {
    const loading = getDocument({
      // A copy: PDF.js hands its data to its worker, which may detach the buffer.
      data: new Uint8Array(content),
      // Text only: no font is turned into code (`new Function`) or loaded into a font face.
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      cMapUrl: `${packageFolder}/cmaps/`,
      cMapPacked: true,
      standardFontDataUrl: `${packageFolder}/standard_fonts/`,
      // Its warnings ("TT: undefined function") go to the console; a broken file throws, and says so.
      verbosity: VerbosityLevel.ERRORS,
    });
    try {
      const document = await loading.promise;
      const pages: PdfLine[][] = [];
      for (let number = 1; number <= document.numPages; number++) {
        const page = await document.getPage(number);
        pages.push(pageLines((await page.getTextContent()).items));
        page.cleanup();
      }
      const info = (await document.getMetadata()).info as { Title?: unknown } | undefined;
      const text = pdfText(pages);
      if (text.trim() === "")
        throw new FormatError(`${fileName} has no text to read: a scanned PDF needs its text recognised (OCR) first`);
      const source = plainText.read(text, fileName);
      const metadata: SourceMetadata = {};
      const title = typeof info?.Title === "string" ? info.Title.replace(/\s+/g, " ").trim() : "";
      // Word and most exporters write the file's name, or nothing, as the title.
      if (title !== "" && !/\.(?:docx?|pdf|odt|rtf|txt|html?)$|^Microsoft Word - |^untitled$/i.test(title))
        metadata.title = title;
      return { ...source, metadata };
    } catch (error) {
      if (error instanceof FormatError) throw error;
      const name = error instanceof Error ? error.name : "";
      if (name === "PasswordException") throw new FormatError(`${fileName} is password-protected`, { cause: error });
      const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
      throw new FormatError(`${fileName} is not a PDF that can be read (${message.slice(0, 200) || name})`, {
        cause: error,
      });
    } finally {
      await loading.destroy();
    }
  },
};

/**
 * A page's text items as lines, in the order the page draws them: a new line where the baseline
 * moves by half the font size or more (a superscript stays on its line). A line reads left to
 * right, with a space where one item ends short of the next and neither brings its own.
 */
export function pageLines(items: ReadonlyArray<TextItem | TextMarkedContent>): PdfLine[] {
  const lines: Array<{
    pieces: Array<{ text: string; x: number; width: number; size: number; font: string }>;
    y: number;
    size: number;
  }> = [];
  for (const item of items) {
    if (!("str" in item) || item.str === "") continue;
    const [a, b, , , x, y] = item.transform as number[];
    const piece = {
      text: item.str,
      x: x!,
      width: item.width,
      size: Math.hypot(a!, b!) || item.height,
      font: item.fontName,
    };
    const blank = piece.text.trim() === "";
    const line = lines.at(-1);
    if (line && Math.abs(line.y - y!) < 0.5 * Math.max(line.size, piece.size, 1)) {
      line.pieces.push(piece);
      if (!blank) line.size = Math.max(line.size, piece.size);
    } else if (!blank) {
      lines.push({ pieces: [piece], y: y!, size: piece.size });
    }
  }
  return lines
    .map((line) => {
      let text = "";
      let end = -Infinity;
      for (const piece of [...line.pieces].sort((one, other) => one.x - other.x)) {
        const gap = piece.x - end;
        if (text !== "" && gap > 0.1 * piece.size && !/\s$/.test(text) && !/^\s/.test(piece.text)) text += " ";
        text += piece.text;
        end = Math.max(end, piece.x + piece.width);
      }
      const fonts = new Set(line.pieces.filter((piece) => piece.text.trim() !== "").map((piece) => piece.font));
      const font = fonts.size === 1 ? [...fonts][0]! : undefined;
      return { text: text.replace(/\s+/g, " ").trim(), y: line.y, size: line.size, ...(font ? { font } : {}) };
    })
    .filter((line) => line.text !== "");
}

/**
 * The readable text of a document's pages (each a list of lines as drawn): running headers,
 * footers and page numbers dropped, lines of a paragraph one after another, a blank line between
 * paragraphs. A paragraph goes on across a page break when its last line ends mid-sentence.
 */
export function pdfText(pages: PdfLine[][]): string {
  const kept = withoutPageFurniture(pages);
  const pitch = lineSpacing(kept);
  let text = "";
  for (const lines of kept) {
    lines.forEach((line, index) => {
      const previous = lines[index - 1];
      let newParagraph: boolean;
      if (previous) {
        // Up the page (a new column), a change of size or of font (a heading, a question in bold
        // before its answer), or wider than the lines' spacing.
        const gap = previous.y - line.y;
        const fontChanges = previous.font !== undefined && line.font !== undefined && previous.font !== line.font;
        newParagraph =
          gap <= 0 || Math.abs(previous.size - line.size) > 1 || fontChanges || gap > pitch(line.size) * 1.3;
      } else {
        // A page's first line: a paragraph ends with the page only where its sentence does.
        newParagraph = /[.!?…:;"”’)\]]$/.test(text);
      }
      if (text !== "") text += newParagraph ? "\n\n" : "\n";
      text += line.text;
    });
  }
  return text;
}

/**
 * The usual distance between the baselines of two lines of one paragraph, by font size: the
 * smallest gap that recurs between lines of that size (paragraph spacing is larger), else the
 * smallest there is, else 1.2 times the size.
 */
function lineSpacing(pages: PdfLine[][]): (size: number) => number {
  const gaps = new Map<number, number[]>();
  for (const lines of pages) {
    for (let index = 1; index < lines.length; index++) {
      const [above, below] = [lines[index - 1]!, lines[index]!];
      const gap = above.y - below.y;
      if (gap <= 0 || Math.abs(above.size - below.size) > 1) continue;
      const size = Math.round(below.size);
      gaps.set(size, [...(gaps.get(size) ?? []), Math.round(gap * 2) / 2]);
    }
  }
  const pitches = new Map<number, number>();
  for (const [size, all] of gaps) {
    const sorted = [...all].sort((one, other) => one - other);
    const recurring = sorted.find((gap, index) => sorted[index + 1] !== undefined && sorted[index + 1]! - gap <= 0.5);
    pitches.set(size, recurring ?? sorted[0]!);
  }
  return (size) => pitches.get(Math.round(size)) ?? size * 1.2;
}

const pageNumber = /^(?:page\s+)?\d{1,4}(?:\s*(?:of|\/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$/i;

/**
 * Each page without its furniture: a line at the top or bottom of a page that says nothing but a
 * page number ("3", "Page 3 of 9", "– 3 –"), and a running header or footer: a line among the top
 * two or bottom two of every page (every page but the first, from three pages on) at the same
 * height, the same text but for its numbers.
 */
function withoutPageFurniture(pages: PdfLine[][]): PdfLine[][] {
  const edges = pages.map((lines) => {
    const byHeight = [...lines].sort((one, other) => other.y - one.y);
    return new Set([...byHeight.slice(0, 2), ...byHeight.slice(-2)]);
  });
  const key = (line: PdfLine) => line.text.toLowerCase().replace(/\d+/g, "#");
  const running = new Set<string>();
  if (pages.length >= 2) {
    const seen = new Map<string, { pages: Set<number>; y: number; moved: boolean }>();
    edges.forEach((lines, page) => {
      for (const line of lines) {
        const entry = seen.get(key(line)) ?? { pages: new Set<number>(), y: line.y, moved: false };
        entry.pages.add(page);
        if (Math.abs(entry.y - line.y) > 2) entry.moved = true;
        seen.set(key(line), entry);
      }
    });
    for (const [text, entry] of seen) {
      if (entry.moved) continue;
      const onEvery = entry.pages.size === pages.length;
      const onAllButFirst = pages.length >= 3 && entry.pages.size === pages.length - 1 && !entry.pages.has(0);
      if (onEvery || onAllButFirst) running.add(text);
    }
  }
  return pages.map((lines, page) =>
    lines.filter((line) => !(edges[page]!.has(line) && (pageNumber.test(line.text) || running.has(key(line))))),
  );
}
