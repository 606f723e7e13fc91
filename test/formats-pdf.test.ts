import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sourceDetailSchema, sourceListSchema } from "../src/contract/index.js";
import { FormatError } from "../src/errors.js";
import { pdf } from "../src/ingest/formats/pdf.js";
import { loadCorpus, sourceFile } from "../src/ingest/load-corpus.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import { beekeeper } from "./support/beekeeper-interview.js";
import { serveDataFolder } from "./support/data-folder-app.js";
import { makePdf, type PdfText } from "./support/pdf-fixture.js";

/** Words to lines of at most 60 characters, as a narrow column sets them. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= 60) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

interface Paragraph {
  lines: string[];
  size?: number;
  bold?: boolean;
  /** A tag set in bold before the first line ("Q:"), as a separate piece of text. */
  tag?: string;
}

/**
 * The paragraphs set as a word processor exports them: 11 pt lines 13.2 pt apart, 9 pt more between
 * paragraphs (unless told otherwise), a running header and a "Page N of M" footer on every page. `breakAt` names the
 * paragraph and line each new page starts with, besides the page's end.
 */
function layout(
  paragraphs: Paragraph[],
  breakAt: Array<[paragraph: number, line: number]>,
  paragraphSpacing = 9,
): PdfText[][] {
  const pages: PdfText[][] = [[]];
  let y = 760;
  paragraphs.forEach((paragraph, index) => {
    const size = paragraph.size ?? 11;
    paragraph.lines.forEach((line, lineIndex) => {
      if (breakAt.some(([p, l]) => p === index && l === lineIndex) || y < 100) {
        pages.push([]);
        y = 760;
      }
      const page = pages.at(-1)!;
      if (lineIndex === 0 && paragraph.tag) {
        page.push({ x: 72, y, text: paragraph.tag, bold: true, size });
        page.push({ x: 90, y, text: line, size });
      } else if (index === 1 && lineIndex === 0) {
        // Kerned in pieces, as a TJ array: the pieces are one run of words, no space added inside one.
        page.push({ x: 72, y, text: line, size, kerned: [line.slice(0, 9), line.slice(9, 30), line.slice(30)] });
      } else {
        page.push({ x: 72, y, text: line, size, bold: paragraph.bold });
      }
      y -= size * 1.2;
    });
    y -= paragraphSpacing;
  });
  return pages.map((page, index) => [
    { x: 72, y: 810, text: "The Valley Gazette | Interviews", size: 9 },
    ...page,
    { x: 260, y: 40, text: `Page ${index + 1} of ${pages.length}`, size: 9 },
  ]);
}

const tagged: Paragraph[] = [
  { lines: [beekeeper.title], size: 16, bold: true },
  { lines: wrap(beekeeper.lead) },
  ...beekeeper.turns.flatMap(([question, answer]): Paragraph[] => [
    { tag: "Q:", lines: wrap(question) },
    { tag: "A:", lines: wrap(answer) },
  ]),
];
// Page 2 starts inside the sixth answer, mid-sentence ("…the older keepers know the" / "valley's
// weather…"), and page 3 with the seventh question.
const sixthAnswer = 2 + 5 * 2 + 1;
const taggedBreaks: Array<[number, number]> = [
  [sixthAnswer, 2],
  [sixthAnswer + 1, 0],
];
const taggedPdf = () => makePdf(layout(tagged, taggedBreaks), { title: beekeeper.title });
const taggedText = tagged
  .map((paragraph) => {
    const lines = [...paragraph.lines];
    if (paragraph.tag) lines[0] = `${paragraph.tag} ${lines[0]}`;
    return lines.join("\n");
  })
  .join("\n\n");

describe("the PDF format", () => {
  it("lays the pages' text out again: a line per baseline, paragraphs apart, no header, footer or page number", async () => {
    expect(wrap(beekeeper.turns[5]![1])[1]).toMatch(/ the$/); // the page breaks mid-sentence
    const source = await pdf.read(taggedPdf(), "okafor.pdf");
    expect(source.text).toBe(taggedText);
    expect(source.text).not.toMatch(/Valley Gazette \| Interviews|Page \d of \d/);
    expect(source.turns).toBeUndefined();
  });

  it("reads the document's title from its information, unless it is a file name", async () => {
    expect((await pdf.read(taggedPdf(), "okafor.pdf")).metadata).toEqual({ title: beekeeper.title });
    const exported = makePdf(layout(tagged, taggedBreaks), { title: "Microsoft Word - okafor.docx" });
    expect((await pdf.read(exported, "okafor.pdf")).metadata).toEqual({});
  });

  it("is parsed by its Q:/A: tags into seven questions, and names the interviewee from the lead", async () => {
    const parsed = parseInterview(await sourceFile("okafor.pdf", taggedPdf()));
    expect(parsed.source.format).toBe("pdf");
    expect(parsed.questions.map((section) => section.question.text.replace(/\n/g, " "))).toEqual(
      beekeeper.turns.map(([question]) => question),
    );
    expect(parsed.questions.map((section) => section.answer?.text.replace(/\n/g, " "))).toEqual(
      beekeeper.turns.map(([, answer]) => answer),
    );
    expect(parsed.interviewee?.name).toBe("Marta Okafor");
    expect(parsed.title?.text).toBe(beekeeper.title);
  });

  it("finds questions set in bold without tags, with or without space between paragraphs", async () => {
    const untagged: Paragraph[] = [
      tagged[0]!,
      tagged[1]!,
      ...beekeeper.turns.flatMap(([question, answer]): Paragraph[] => [
        { lines: wrap(question), bold: true },
        { lines: wrap(answer) },
      ]),
    ];
    for (const spacing of [9, 0]) {
      const source = await sourceFile("okafor.pdf", makePdf(layout(untagged, [[8, 0]], spacing)));
      // The change of font alone tells the bold question from the answer after it.
      expect(source.text.split("\n\n").slice(2, 4)).toEqual([
        beekeeper.turns[0]![0],
        wrap(beekeeper.turns[0]![1]).join("\n"),
      ]);
      const parsed = parseInterview(source);
      expect(parsed.questions.map((section) => section.question.text)).toEqual(beekeeper.turns.map(([q]) => q));
      expect(parsed.interviewee?.name).toBe("Marta Okafor");
    }
  });

  it("keeps PDF syntax out of the readable text", async () => {
    const { text } = await pdf.read(taggedPdf(), "okafor.pdf");
    expect(text).not.toMatch(/\bT[jJf]\b|\bBT\b|\bET\b|\bobj\b|\/F\d|Helvetica|%PDF|[()\\]/);
  });

  it("throws FormatError naming the file for bytes that are not a PDF, or a PDF with no text", async () => {
    await expect(pdf.read(Buffer.from("%PDF-1.4\nnot really"), "broken.pdf")).rejects.toThrow(FormatError);
    await expect(pdf.read(Buffer.from("plain words"), "broken.pdf")).rejects.toThrow(
      /^broken\.pdf is not a PDF that can be read \(.+\)$/,
    );
    await expect(pdf.read(makePdf([[]]), "scan.pdf")).rejects.toThrow(/^scan\.pdf has no text to read/);
  });
});

describe("a .pdf in the data folder", () => {
  let project: Awaited<ReturnType<typeof serveDataFolder>>["project"];
  let app: Awaited<ReturnType<typeof serveDataFolder>>["app"];
  beforeAll(async () => {
    ({ project, app } = await serveDataFolder({
      "okafor.pdf": taggedPdf(),
      "broken.pdf": Buffer.from("%PDF-1.7\n% cut off by a failed upload"),
    }));
  });
  afterAll(() => app?.close());

  it("is loaded beside data/interview.txt, and a corrupt one is skipped with one clear line", async () => {
    const warn = vi.fn();
    const files = await loadCorpus(project.dataDir, { logger: { info: vi.fn(), warn } });
    expect(files.map((file) => [file.name, file.format])).toEqual([
      ["interview.txt", "txt"],
      ["okafor.pdf", "pdf"],
    ]);
    expect(warn.mock.calls.map((call) => call[1])).toEqual([
      expect.stringMatching(/^Skipping broken\.pdf: broken\.pdf is not a PDF that can be read \(.+\)$/),
    ]);
  });

  it("is served in the catalogue and as its readable text", async () => {
    const { sources } = sourceListSchema.parse(await (await fetch(`${app.url}/api/sources`)).json());
    expect(sources.map((source) => [source.name, source.format])).toEqual([
      ["interview.txt", "txt"],
      ["okafor.pdf", "pdf"],
    ]);
    expect(sources[1]).toMatchObject({ title: beekeeper.title, interviewee: "Marta Okafor", questions: 7 });
    const detail = sourceDetailSchema.parse(await (await fetch(`${app.url}/api/sources/okafor`)).json());
    expect(detail.text).toBe(taggedText);
  });
});
