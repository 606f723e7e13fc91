import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.js";
import { formatHtml } from "./format-html.js";
import { formatMarkdown } from "./format-markdown.js";
import type { Report } from "./report.js";

export class ReportWriteError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("report_write_failed", message, 500, options);
  }
}

/**
 * Writes report.json, report.md and report.html into `outDir` (created if needed), each through a
 * temporary file renamed into place so a reader never sees half a report. Returns the three paths.
 * @throws ReportWriteError naming the path that could not be written.
 */
export async function writeReports(report: Report, outDir: string): Promise<string[]> {
  const files: Array<[string, string]> = [
    ["report.json", `${JSON.stringify(report, null, 2)}\n`],
    ["report.md", formatMarkdown(report)],
    ["report.html", formatHtml(report)],
  ];
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    throw new ReportWriteError(`Cannot create ${outDir}: ${(error as Error).message}`, { cause: error });
  }
  const written: string[] = [];
  for (const [name, content] of files) {
    const target = path.join(outDir, name);
    try {
      await writeFile(`${target}.tmp`, content, "utf8");
      await rename(`${target}.tmp`, target);
    } catch (error) {
      throw new ReportWriteError(`Cannot write ${target}: ${(error as Error).message}`, { cause: error });
    }
    written.push(target);
  }
  return written;
}
