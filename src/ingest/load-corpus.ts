import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { AppError, CorpusError, FormatError } from "../errors.js";
import { formatFor, formats } from "./formats/registry.js";
import type { SourceMetadata, TimeSpan, Turn } from "./formats/types.js";

export interface SourceFile {
  /** File name without its extension: the document's id ("interview"); the whole name when two files share a stem. */
  id: string;
  /** File name inside the data folder: the wire's `source`. */
  name: string;
  /**
   * The readable text (see formats/types.ts): every offset and quote refers to it. For a `.txt`
   * file it is the file byte for byte (CRLF included).
   */
  text: string;
  /** sha256 of the file's content (its UTF-8 text, or a binary format's bytes), recorded in the index manifest to detect a changed source. */
  sha256: string;
  /** The format's name ("txt", "markdown", "html", "vtt", "srt", "docx", "pdf"); absent means plain text. */
  format?: string;
  /** What the source says about itself (front matter, the page's headline and byline). */
  metadata?: SourceMetadata;
  /** Turns the layout marks outside the text (subtitle voices, bold questions). */
  turns?: Turn[];
  /** For timestamped sources: the moment of each stretch of `text`. */
  times?: TimeSpan[];
}

export interface LoadCorpusOptions {
  /** Told of every file left out (an unknown extension, a file that cannot be read as its format), one line each. */
  logger?: Pick<Logger, "info" | "warn">;
}

/**
 * Reads every file of `dataDir` whose extension names a format (formats/registry.ts), sorted by
 * name so ids and offsets are stable. A file of another type is left out with one log line naming
 * it; a file that cannot be read as its format with one warning saying why, and the others serve.
 * @throws CorpusError when the folder cannot be read or holds no interview at all.
 */
export async function loadCorpus(dataDir: string, options: LoadCorpusOptions = {}): Promise<SourceFile[]> {
  let names: string[];
  try {
    names = (await readdir(dataDir, { withFileTypes: true }))
      // A transcript may be a link to a file kept elsewhere; folders and hidden files are not interviews.
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new CorpusError(`Cannot read the data folder ${dataDir}: ${(error as Error).message}`, { cause: error });
  }
  const files: SourceFile[] = [];
  for (const name of names) {
    const file = await readSource(dataDir, name, options);
    if (file) files.push(file);
  }
  const stems = new Map<string, number>();
  for (const file of files) stems.set(file.id, (stems.get(file.id) ?? 0) + 1);
  for (const file of files) if (stems.get(file.id)! > 1) file.id = file.name;
  if (files.length === 0)
    throw new CorpusError(`No interview found: ${dataDir} holds no non-empty ${supportedExtensions()} file`);
  return files;
}

async function readSource(dataDir: string, name: string, options: LoadCorpusOptions): Promise<SourceFile | null> {
  const entry = formatFor(name);
  if (!entry) {
    options.logger?.info({ file: name }, `Skipping ${name}: not a supported format (${supportedExtensions()})`);
    return null;
  }
  let content: string | Buffer;
  try {
    // A binary format (.docx, .pdf) is handed the bytes; any other the text.
    content = entry.binary
      ? await readFile(path.join(dataDir, name))
      : await readFile(path.join(dataDir, name), "utf8");
  } catch (error) {
    // A file the server may not read is the operator's to fix (permissions), not a file to pass over.
    throw new CorpusError(`Cannot read ${path.join(dataDir, name)}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof content === "string" ? content.trim() === "" : content.length === 0) return null;
  try {
    const file = await sourceFile(name, content);
    if (file.text.trim() === "") {
      options.logger?.warn({ file: name }, `Skipping ${name}: no readable text in it`);
      return null;
    }
    return file;
  } catch (error) {
    // One clear line; the rest of the archive still serves.
    const why = error instanceof AppError ? error.message : "it could not be parsed";
    options.logger?.warn({ file: name }, `Skipping ${name}: ${why}`);
    return null;
  }
}

/**
 * A file's content as a source: read by the format its extension names. `content` is the file's
 * bytes or its text: a text format is given text (bytes decoded as UTF-8), a binary one bytes.
 * @throws FormatError when no format reads the extension, or the content is not valid in it.
 */
export async function sourceFile(name: string, content: string | Buffer): Promise<SourceFile> {
  const entry = formatFor(name);
  if (!entry) throw new FormatError(`${name} is not in a supported format (${supportedExtensions()})`);
  const format = await entry.load();
  const readable = format.binary
    ? await format.read(typeof content === "string" ? Buffer.from(content, "utf8") : content, name)
    : format.read(typeof content === "string" ? content : content.toString("utf8"), name);
  return {
    id: name.slice(0, name.length - path.extname(name).length),
    name,
    text: readable.text,
    sha256: createHash("sha256").update(content).digest("hex"),
    format: format.name,
    metadata: readable.metadata,
    ...(readable.turns ? { turns: readable.turns } : {}),
    ...(readable.times ? { times: readable.times } : {}),
  };
}

/** ".txt, .md, .markdown, .html, .htm, .vtt, .srt, .docx or .pdf" */
function supportedExtensions(): string {
  const all = formats.flatMap((format) => format.extensions);
  return `${all.slice(0, -1).join(", ")} or ${all.at(-1)}`;
}
