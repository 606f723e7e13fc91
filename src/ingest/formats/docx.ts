import mammoth from "mammoth";
import { FormatError } from "../../errors.js";
import { html } from "./html.js";
import type { BinaryFormat, ReadableSource } from "./types.js";

/**
 * Word's title style is not in mammoth's default style map (Heading 1–6 are): as an <h1> it is the
 * document's title, as the HTML format reads a page's <h1>.
 */
const styleMap = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => p:fresh"];

/** Images are left out of the HTML (the readable text has none), rather than inlined as data URIs. */
const noImages = mammoth.images.imgElement(async () => ({ src: "" }));

/**
 * Word (.docx): mammoth turns the document into HTML (paragraphs, headings by style, bold and
 * italics), which the HTML format reads as it reads a page: so a question set in bold, or as a
 * heading, is the interviewer's, and "Q:"/"A:" tags are left to the text parser. The HTML is only
 * a step on the way: what is served and quoted is the readable text, as for any format.
 */
export const docx: BinaryFormat = {
  name: "docx",
  extensions: [".docx"],
  binary: true,
  async read(content, fileName): Promise<ReadableSource> {
    let converted: string;
    try {
      converted = (
        await mammoth.convertToHtml(
          { buffer: content },
          // No linked file outside the document is ever read (mammoth's default; said here on purpose).
          { styleMap, convertImage: noImages, externalFileAccess: false, ignoreEmptyParagraphs: true },
        )
      ).value;
    } catch (error) {
      throw new FormatError(`${fileName} is not a Word document that can be read (${reason(error)})`, { cause: error });
    }
    try {
      return html.read(`<body>${converted}</body>`, fileName);
    } catch (error) {
      // The HTML format finds no paragraph of text (an empty document, one of images): the corpus
      // loader passes over a source with no readable text, saying so.
      if (error instanceof FormatError) return { text: "", metadata: {} };
      throw error;
    }
  },
};

/** mammoth's and JSZip's messages ("Can't find end of central directory : is this a zip file ?"), on one line. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, " ").trim().slice(0, 200) || "unreadable";
}
