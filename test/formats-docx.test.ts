import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sourceDetailSchema, sourceListSchema } from "../src/contract/index.js";
import { FormatError } from "../src/errors.js";
import { docx } from "../src/ingest/formats/docx.js";
import type { ReadableSource } from "../src/ingest/formats/types.js";
import { loadCorpus, sourceFile } from "../src/ingest/load-corpus.js";
import { parseInterview } from "../src/ingest/parse-interview.js";
import { beekeeper } from "./support/beekeeper-interview.js";
import { serveDataFolder } from "./support/data-folder-app.js";
import { makeDocx, type DocxParagraph } from "./support/docx-fixture.js";

// The interview as a reporter types it in Word: the title in Word's Title style, the lead, then
// each question in bold and its answer in plain type (one answer with a word in bold).
const boldQuestions: DocxParagraph[] = [
  { runs: [beekeeper.title], style: "Title" },
  { runs: [beekeeper.lead] },
  ...beekeeper.turns.flatMap(([question, answer], index): DocxParagraph[] => [
    { runs: [{ bold: question }] },
    {
      runs:
        index === 3 ? ["Perhaps ", { bold: "three hundred" }, answer.slice("Perhaps three hundred".length)] : [answer],
    },
  ]),
];
// The same interview with "Q:" and "A:" tags in bold opening each paragraph.
const taggedTurns: DocxParagraph[] = [
  { runs: [beekeeper.title], style: "Title" },
  { runs: [beekeeper.lead] },
  ...beekeeper.turns.flatMap(([question, answer]): DocxParagraph[] => [
    { runs: [{ bold: "Q:" }, ` ${question}`] },
    { runs: [{ bold: "A:" }, ` ${answer}`] },
  ]),
];

const read = (paragraphs: DocxParagraph[]) => docx.read(makeDocx(paragraphs), "okafor.docx");
const turnsOf = (source: ReadableSource) =>
  source.turns!.map((turn) => [source.text.slice(turn.start, turn.end), turn.asks ?? false]);

describe("the Word (.docx) format", () => {
  it("reads the document's paragraphs as the readable text, a blank line between, and its title", async () => {
    const source = await read(boldQuestions);
    expect(source.text).toBe([beekeeper.title, beekeeper.lead, ...beekeeper.turns.flat()].join("\n\n"));
    expect(source.metadata).toEqual({ title: beekeeper.title });
  });

  it("makes each bold question the interviewer's turn, answered by the paragraphs after it", async () => {
    const source = await read(boldQuestions);
    expect(turnsOf(source)).toEqual(
      beekeeper.turns.flatMap(([question, answer]) => [
        [question, true],
        [answer, false],
      ]),
    );
  });

  it("is parsed into its seven questions and names the interviewee from the lead", async () => {
    for (const paragraphs of [boldQuestions, taggedTurns]) {
      const parsed = parseInterview(await sourceFile("okafor.docx", makeDocx(paragraphs)));
      expect(parsed.source.format).toBe("docx");
      expect(parsed.questions.map((section) => section.question.text)).toEqual(beekeeper.turns.map(([q]) => q));
      expect(parsed.questions.map((section) => section.answer?.text)).toEqual(beekeeper.turns.map(([, a]) => a));
      expect(parsed.interviewee?.name).toBe("Marta Okafor");
      expect(parsed.title?.text).toBe(beekeeper.title);
    }
  });

  it("writes bold Q:/A: tags as plain tags and leaves the turns to the text parser", async () => {
    const source = await read(taggedTurns);
    expect(source.text).toContain(`\n\nQ: ${beekeeper.turns[0]![0]}\n\nA: ${beekeeper.turns[0]![1]}\n\n`);
    expect(source.turns).toBeUndefined();
  });

  it("keeps markup out of the readable text: no tag, entity, XML or style name", async () => {
    const source = await read([...boldQuestions, { runs: ["Fish & chips <cheap>, said the sign."] }]);
    expect(source.text).toContain("Fish & chips <cheap>, said the sign.");
    const rest = source.text.replace("Fish & chips <cheap>, said the sign.", "");
    expect(rest).not.toMatch(/[<>]|&[a-z#0-9]+;|\bw:[a-z]|<\?xml|\bstyle/i);
  });

  it("reads an empty document as no text, which the corpus passes over", async () => {
    expect((await read([])).text).toBe("");
  });

  it("throws FormatError naming the file for bytes that are not a Word document", async () => {
    await expect(docx.read(Buffer.from("not a zip at all"), "broken.docx")).rejects.toThrow(FormatError);
    await expect(docx.read(Buffer.from("not a zip at all"), "broken.docx")).rejects.toThrow(
      /^broken\.docx is not a Word document that can be read \(.+\)$/,
    );
    // A zip cut short, as by a copy that stopped halfway.
    await expect(docx.read(makeDocx(boldQuestions).subarray(0, 400), "cut.docx")).rejects.toThrow(FormatError);
  });
});

describe("a .docx in the data folder", () => {
  let project: Awaited<ReturnType<typeof serveDataFolder>>["project"];
  let app: Awaited<ReturnType<typeof serveDataFolder>>["app"];
  beforeAll(async () => {
    ({ project, app } = await serveDataFolder({
      "okafor.docx": makeDocx(boldQuestions),
      "broken.docx": Buffer.from("PK\u0003\u0004 but nothing after it"),
    }));
  });
  afterAll(() => app?.close());

  it("is loaded beside data/interview.txt, and a corrupt one is skipped with one clear line", async () => {
    const warn = vi.fn();
    const files = await loadCorpus(project.dataDir, { logger: { info: vi.fn(), warn } });
    expect(files.map((file) => [file.name, file.format])).toEqual([
      ["interview.txt", "txt"],
      ["okafor.docx", "docx"],
    ]);
    expect(warn.mock.calls.map((call) => call[1])).toEqual([
      expect.stringMatching(/^Skipping broken\.docx: broken\.docx is not a Word document that can be read \(.+\)$/),
    ]);
  });

  it("is served in the catalogue and as its readable text", async () => {
    const { sources } = sourceListSchema.parse(await (await fetch(`${app.url}/api/sources`)).json());
    expect(sources.map((source) => [source.name, source.format])).toEqual([
      ["interview.txt", "txt"],
      ["okafor.docx", "docx"],
    ]);
    expect(sources[1]).toMatchObject({ title: beekeeper.title, interviewee: "Marta Okafor", questions: 7 });
    const detail = sourceDetailSchema.parse(await (await fetch(`${app.url}/api/sources/okafor`)).json());
    expect(detail.text).toBe([beekeeper.title, beekeeper.lead, ...beekeeper.turns.flat()].join("\n\n"));
  });
});
