import { readFile } from "node:fs/promises";

/** How an input file names itself in errors, and the error type its caller throws. */
export interface InputFile {
  path: string;
  /** Written before the path when the file cannot be read: "question set" → "Cannot read question set FILE: ...". */
  label: string;
  fail: (message: string) => Error;
}

/** The file's text; one clear error (no such file, or the system's reason) when it cannot be read. */
export async function readInputText({ path, label, fail }: InputFile): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw fail(`Cannot read ${label} ${path}: ${reason}`);
  }
}

/** Parses one JSON text; `where` (a file, or a file and line) leads the error when it is not JSON. */
export function parseInputJson(text: string, where: string, fail: (message: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fail(`${where}: not valid JSON (${(error as Error).message})`);
  }
}

/** A whole file that holds one JSON value. */
export async function readInputJson(file: InputFile): Promise<unknown> {
  return parseInputJson(await readInputText(file), file.path, file.fail);
}
