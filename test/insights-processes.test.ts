import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "./support/corpus.js";

const folder = mkdtempSync(path.join(tmpdir(), "insights-processes-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writer(file: string, prefix: string, count: number): Promise<number | null> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/support/insights-writer.ts", file, prefix, String(count)],
    { cwd: projectRoot, stdio: ["ignore", "ignore", "inherit"] },
  );
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

describe("two processes on one insights file (WAL)", () => {
  it("write side by side, from a new file, and lose nothing", { timeout: 60_000 }, async () => {
    const file = path.join(folder, "shared.sqlite");
    const codes = await Promise.all([writer(file, "a", 1000), writer(file, "b", 1000)]);
    expect(codes).toEqual([0, 0]);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("user_version", { simple: true })).toBe(2); // migrated once, by whichever came first
      const counts = db
        .prepare("SELECT substr(id, 1, 1) AS writer, count(*) AS n FROM turns GROUP BY writer ORDER BY writer")
        .all();
      expect(counts).toEqual([
        { writer: "a", n: 1000 },
        { writer: "b", n: 1000 },
      ]);
    } finally {
      db.close();
    }
  });
});
