// A separate process writing turns into one insights file, as a second server (or worker) would.
import pino from "pino";
import { Insights } from "../../src/insights/insights.js";
import { finishedTurn } from "./finished-turn.js";

const [file, prefix, count] = process.argv.slice(2) as [string, string, string];
const insights = Insights.open({ file }, { logger: pino({ level: "error" }), flushMs: 1 });
await insights.flush();
if (!insights.available) process.exit(2);
for (let i = 0; i < Number(count); i += 1) {
  insights.record(finishedTurn(`${prefix}-${i}`, { question: `Question ${i}?`, clientAddress: prefix }));
  // Small batches, so the two processes' transactions interleave rather than run one after the other.
  if (i % 5 === 4) {
    await insights.flush();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
await insights.close();
if (insights.dropped > 0) process.exit(3);
