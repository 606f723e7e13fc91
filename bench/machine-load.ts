import { readFileSync } from "node:fs";
import { sleep } from "./server-process.js";

/** CPU seconds all cores have spent busy since boot: /proc/stat's first line less idle and iowait, in 1/100 s. */
export function machineBusySeconds(): number {
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = readFileSync("/proc/stat", "utf8")
    .split("\n")[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}

/**
 * Waits until the machine has been nearly idle (under `threshold` % of one core) for three
 * seconds in a row, at most `maxSeconds`: on a shared machine, other work (a test suite, a
 * browser) skews every timing. Call it while nothing of the benchmark runs. Returns the seconds waited.
 */
export async function waitForQuiet(options: { maxSeconds: number; threshold?: number }): Promise<number> {
  const threshold = options.threshold ?? 10;
  const started = performance.now();
  let quietSeconds = 0;
  while (quietSeconds < 3 && performance.now() - started < options.maxSeconds * 1000) {
    const before = machineBusySeconds();
    await sleep(1_000);
    quietSeconds = (machineBusySeconds() - before) * 100 < threshold ? quietSeconds + 1 : 0;
  }
  return Math.round((performance.now() - started) / 1000);
}
