import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { IdleCollector } from "../src/serve/idle-collector.js";

// After a burst the worker goes quiet, and V8 (which collects when it allocates) would keep the
// burst's garbage: the collector runs one full collection once nothing is open for a while.

const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve)))));

/** A server whose responses stay open until `finish` is called, and a collector that never runs by itself. */
async function serve() {
  const pending: Array<() => void> = [];
  const server = createServer((_request, response) => pending.push(() => response.end("done")));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Idle after a minute, which the test passes as `now`: a busy machine's pauses cannot make it idle early.
  const collector = new IdleCollector(server, { idleMs: 60_000, minGrowthMb: 8, checkEveryMs: 3_600_000 });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  return { collector, url, pending };
}

/** Leaves about `mb` MB of garbage on the heap. */
function makeGarbage(mb: number): void {
  let keep: unknown[] = [];
  for (let i = 0; i < mb * 16; i++) keep.push(new Array(8_192).fill(i));
  keep = [];
  void keep;
}

describe("IdleCollector", () => {
  it("collects a burst's garbage once no request is open and none came for a while, and only then", async () => {
    const { collector, url, pending } = await serve();
    const answered = fetch(url).then((response) => response.text());
    await expect.poll(() => pending.length).toBe(1);
    makeGarbage(40);
    // A response still open (a stream): not idle, however long ago the request came.
    expect(collector.check(Date.now() + 3_600_000)).toBe(false);
    pending[0]!();
    expect(await answered).toBe("done");
    const before = process.memoryUsage().heapUsed;
    // Closed a moment ago: not yet idle.
    expect(collector.check()).toBe(false);
    // A minute later it is (polled: the server sees the response close a moment after the client has it).
    await expect.poll(() => collector.check(Date.now() + 61_000)).toBe(true);
    expect(process.memoryUsage().heapUsed).toBeLessThan(before - 16 * 2 ** 20);
    // Nothing has grown since: no second collection.
    expect(collector.check(Date.now() + 61_000)).toBe(false);
  });
});
