import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { CorpusError } from "../errors.js";

export interface SourceFile {
  /** File name without `.txt`: the document's id ("interview"). */
  id: string;
  /** File name inside the data folder. */
  name: string;
  text: string;
  /** sha256 of the text, recorded in the index manifest to detect a changed source. */
  sha256: string;
}

/**
 * Reads every `*.txt` in `dataDir`, sorted by name so ids and offsets are stable.
 * @throws CorpusError when the folder cannot be read or holds no non-empty `.txt` file.
 */
export async function loadCorpus(dataDir: string): Promise<SourceFile[]> {
  let names: string[];
  try {
    names = (await readdir(dataDir)).filter((name) => name.toLowerCase().endsWith(".txt")).sort();
  } catch (error) {
    throw new CorpusError(`Cannot read the data folder ${dataDir}: ${(error as Error).message}`, { cause: error });
  }
  const files: SourceFile[] = [];
  for (const name of names) {
    let text: string;
    try {
      // Kept byte-for-byte (CRLF included): offsets and quotes refer to the file as it is.
      text = await readFile(path.join(dataDir, name), "utf8");
    } catch (error) {
      throw new CorpusError(`Cannot read ${path.join(dataDir, name)}: ${(error as Error).message}`, { cause: error });
    }
    if (text.trim() === "") continue;
    files.push({ id: name.slice(0, -4), name, text, sha256: createHash("sha256").update(text).digest("hex") });
  }
  if (files.length === 0) throw new CorpusError(`No interview found: ${dataDir} holds no non-empty .txt file`);
  return files;
}
