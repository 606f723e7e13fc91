/**
 * Writes small PDF files for the tests, by hand: no PDF library, so the fixture is exactly what is
 * asked for. Text is set in the standard Helvetica fonts (WinAnsi encoding, no font file embedded),
 * each piece at the position given, as a word processor's PDF export places it.
 */

/** A run of text at (x, y) in points from the page's bottom left. */
export interface PdfText {
  x: number;
  y: number;
  text: string;
  size?: number;
  bold?: boolean;
  /** Written with TJ, the text cut into these pieces with a kerning adjustment between them. */
  kerned?: string[];
}

/** A4 pages, each a list of pieces of text, and the document's title if any; returns the PDF's bytes. */
export function makePdf(pages: PdfText[][], info: { title?: string } = {}): Buffer {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body);
  const pageIds = pages.map((_, index) => 5 + index * 2);
  add("<< /Type /Catalog /Pages 2 0 R >>");
  add(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`);
  add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
  const infoId = 5 + pages.length * 2;
  for (const [index, page] of pages.entries()) {
    add(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageIds[index]! + 1} 0 R >>`,
    );
    const stream = page
      .map((piece) => {
        const show = piece.kerned
          ? `[${piece.kerned.map((part) => `(${escape(part)})`).join(" -15 ")}] TJ`
          : `(${escape(piece.text)}) Tj`;
        return `BT /${piece.bold ? "F2" : "F1"} ${piece.size ?? 11} Tf ${piece.x} ${piece.y} Td ${show} ET`;
      })
      .join("\n");
    add(`<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`);
  }
  if (info.title !== undefined) add(`<< /Title (${escape(info.title)}) /Producer (interview-chat tests) >>`);
  let pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  for (const [index, body] of objects.entries()) {
    offsets.push(Buffer.byteLength(pdf, "latin1"));
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  }
  const xref = Buffer.byteLength(pdf, "latin1");
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, "0")} 00000 n \n`;
  const infoEntry = info.title !== undefined ? ` /Info ${infoId} 0 R` : "";
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${infoEntry} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1");
}

/** A PDF string literal's body: WinAnsi (Latin-1 here) with its three special characters escaped. */
function escape(text: string): string {
  if (/[^\x20-\xff]/.test(text)) throw new Error(`Not in WinAnsi: ${text}`);
  return text.replace(/[\\()]/g, (char) => `\\${char}`);
}
