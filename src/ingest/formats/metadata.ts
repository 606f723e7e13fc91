import type { SourceMetadata } from "./types.js";

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const month = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?";
const day = "(\\d{1,2})(?:st|nd|rd|th)?";
// 2024-03-05, 5 March 2024, March 5, 2024 (a weekday before either is allowed by starting anywhere).
const datePattern = new RegExp(
  `(?<![\\d-])(\\d{4})-(\\d{2})-(\\d{2})(?!\\d)|\\b${day}\\s+${month},?\\s+(\\d{4})\\b|\\b${month}\\s+${day},?\\s+(\\d{4})\\b`,
  "i",
);

/**
 * A date as yyyy-mm-dd when it can be read as one (a YAML Date, "2024-03-05T10:00:00+01:00",
 * "5 March 2024", "Tuesday, March 5, 2024"), else the value as the source gives it. Written dates
 * are read by pattern, not Date.parse, whose reading of free text differs between engines.
 */
export function readDate(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  const text = readText(value);
  if (text === undefined) return undefined;
  const match = datePattern.exec(text);
  // Only a date that opens the value (after a weekday) is the value: "Updated 2024-03-05" is not.
  const opens = match !== null && /^(?:[a-z]+,?\s+)?$/i.test(text.slice(0, match.index));
  return (opens && dateOf(match)) || text;
}

/** The first date written in a stretch of text ("By Jane Doe, 5 March 2024"), as yyyy-mm-dd. */
export function findDate(text: string): string | undefined {
  const match = datePattern.exec(text);
  return match ? dateOf(match) : undefined;
}

/** The text before the first date written in it: "By Jane Doe, 5 March 2024" is "By Jane Doe, ". */
export function beforeDate(text: string): string {
  const match = datePattern.exec(text);
  return match ? text.slice(0, match.index) : text;
}

function dateOf(match: RegExpExecArray): string | undefined {
  // The date as written, never shifted to UTC: "2024-03-05T23:30:00-05:00" was published on the 5th.
  if (match[1]) return validDate(+match[1], +match[2]!, +match[3]!);
  if (match[4]) return validDate(+match[6]!, months.indexOf(match[5]!.toLowerCase().slice(0, 3)) + 1, +match[4]);
  return validDate(+match[9]!, months.indexOf(match[7]!.toLowerCase().slice(0, 3)) + 1, +match[8]!);
}

function validDate(year: number, monthNumber: number, dayOfMonth: number): string | undefined {
  const date = new Date(Date.UTC(year, monthNumber - 1, dayOfMonth));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== monthNumber - 1 || date.getUTCDate() !== dayOfMonth)
    return undefined;
  return date.toISOString().slice(0, 10);
}

/**
 * A metadata value as one line of text: strings trimmed, numbers written out, a list of names
 * joined with commas (YAML `interviewee: [A, B]`), a Date as yyyy-mm-dd. Anything else (a mapping,
 * a boolean, an empty string) says nothing a reader would call a title or a name: undefined.
 */
export function readText(value: unknown): string | undefined {
  if (typeof value === "string") {
    const text = value.replace(/\s+/g, " ").trim();
    return text === "" ? undefined : text;
  }
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (value instanceof Date) return readDate(value);
  if (Array.isArray(value)) {
    const parts = value.map(readText).filter((part): part is string => part !== undefined);
    return parts.length > 0 ? parts.join(", ") : undefined;
  }
  return undefined;
}

/** Drops the fields that are undefined, so `metadata` holds only what the source said. */
export function compactMetadata(fields: { [K in keyof SourceMetadata]: string | undefined }): SourceMetadata {
  const metadata: SourceMetadata = {};
  for (const key of ["title", "interviewee", "interviewer", "outlet", "date"] as const) {
    const value = fields[key];
    if (value !== undefined) metadata[key] = value;
  }
  return metadata;
}
