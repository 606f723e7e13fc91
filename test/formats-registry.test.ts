import { describe, expect, it } from "vitest";
import { plainText } from "../src/ingest/formats/plain-text.js";
import { formatFor, formats } from "../src/ingest/formats/registry.js";

describe("the format registry", () => {
  it("lists the seven formats, each with lower-case extensions no other format claims", () => {
    expect(formats.map((format) => format.name)).toEqual(["txt", "markdown", "html", "vtt", "srt", "docx", "pdf"]);
    const extensions = formats.flatMap((format) => format.extensions);
    expect(new Set(extensions).size).toBe(extensions.length);
    for (const extension of extensions) expect(extension).toMatch(/^\.[a-z0-9]+$/);
  });

  it("finds a file's format by its extension, whatever its case", () => {
    expect(formatFor("talk.txt")?.name).toBe("txt");
    expect(formatFor("Talk.MD")?.name).toBe("markdown");
    expect(formatFor("talk.markdown")?.name).toBe("markdown");
    expect(formatFor("data/page.HTM")?.name).toBe("html");
    expect(formatFor("page.html")?.name).toBe("html");
    expect(formatFor("captions.vtt")?.name).toBe("vtt");
    expect(formatFor("captions.SRT")?.name).toBe("srt");
    expect(formatFor("Talk.DOCX")?.name).toBe("docx");
    expect(formatFor("talk.pdf")?.name).toBe("pdf");
  });

  it("loads each format's module only when asked, as the format it names, reading bytes where the entry says so", async () => {
    for (const entry of formats) {
      const format = await entry.load();
      expect(format.name).toBe(entry.name);
      expect(format.extensions).toEqual(entry.extensions);
      expect(format.binary ?? false).toBe(entry.binary ?? false);
    }
    expect(formats.filter((entry) => entry.binary).map((entry) => entry.name)).toEqual(["docx", "pdf"]);
  });

  it("has no format for other files", () => {
    expect(formatFor("talk.doc")).toBeUndefined();
    expect(formatFor("slides.pptx")).toBeUndefined();
    expect(formatFor("README")).toBeUndefined();
    expect(formatFor(".md")).toBeUndefined();
  });
});

describe("the plain-text format", () => {
  it("keeps the file byte-for-byte, CRLF included, with no metadata, turns or times", () => {
    const content = "Title\r\n\r\nQ: Why?\r\nA: Because.  \r\n";
    expect(plainText.read(content, "talk.txt")).toEqual({ text: content, metadata: {} });
  });
});
