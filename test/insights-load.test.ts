import { describe, expect, inject, it } from "vitest";
import { runInsightsLoad } from "../bench/insights-load.js";

// Issue 16, "done when", at a tenth of the size: questions of every kind through a real server
// (2 workers writing one SQLite file) are all in the record, and GET /api/insights, `npm run
// insights -- --json` and the database's rows count them by kind exactly as the clients were told.
// `npm run load:insights` runs the same code with 2,000 questions.

describe("a load run through the server with insights on", () => {
  it(
    "records every one of 200 questions, counted by kind alike in the API, the CLI and the file",
    { timeout: 400_000 },
    async () => {
      // The run's shared index of data/ (test/support/shared-index.ts): the server loads it rather than builds it.
      const indexDir = inject("sharedIndexDir");
      const result = await runInsightsLoad({ questions: 200, connections: 16, workers: 2, indexDir });
      expect(result.serverErrors).toBe(0);
      expect(result.failed).toBe(0);
      expect(result.uniqueIds).toBe(200);
      // The mix holds every kind, so a kind counted as another would show.
      expect(result.told.answer).toBeGreaterThan(0);
      expect(result.told.no_answer).toBeGreaterThan(0);
      expect(result.told.smalltalk).toBeGreaterThan(0);
      expect(result.told.answer + result.told.no_answer + result.told.smalltalk).toBe(200);
      expect(result.api).toEqual({ total: 200, byKind: result.told });
      expect(result.cli).toEqual({ total: 200, byKind: result.told });
      expect(result.db).toEqual({ rows: 200, idsFound: 200, byKind: result.told });
      expect(result.checks.filter((check) => !check.pass)).toEqual([]);
    },
  );
});
