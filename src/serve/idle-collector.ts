import type { Server } from "node:http";
import v8 from "node:v8";
import vm from "node:vm";

/**
 * Gives memory back after a burst. V8 collects garbage when it allocates, so a worker that goes
 * quiet after a burst keeps the burst's garbage: after 1,000 concurrent LLM streams a worker
 * stayed at 1.18–1.24× its RSS before (469 → 555 MB) 10 s later, with its heap still at its peak
 * (heapUsed 66 → 173 MB). Collected, the same heap was 56 MB: 15 MB of bounded caches (query
 * embeddings, turns), nothing kept per stream. So once no request has come for `idleMs` and the
 * heap has grown by `minGrowthMb` since the last collection, one full collection runs (tens of
 * ms, while no request is open).
 */
export class IdleCollector {
  /** Requests whose response has not closed: a stream in progress is not idleness. */
  private open = 0;
  private lastRequest = Date.now();
  private usedAfterCollection = usedHeap();
  private readonly gc: () => void;

  constructor(
    server: Server,
    private readonly options: { idleMs?: number; minGrowthMb?: number; checkEveryMs?: number } = {},
  ) {
    // --expose-gc after start: Node documents setFlagsFromString for flags like this one.
    v8.setFlagsFromString("--expose-gc");
    this.gc = vm.runInNewContext("gc") as () => void;
    server.on("request", (_request, response) => {
      this.open++;
      response.once("close", () => {
        this.open--;
        this.lastRequest = Date.now();
      });
    });
    setInterval(() => this.check(), options.checkEveryMs ?? 1_000).unref();
  }

  /** Collects now if the process is idle and has grown enough; true when it did. */
  check(now = Date.now()): boolean {
    if (this.open > 0 || now - this.lastRequest < (this.options.idleMs ?? 2_000)) return false;
    if (usedHeap() - this.usedAfterCollection < (this.options.minGrowthMb ?? 32) * 2 ** 20) return false;
    this.gc();
    this.usedAfterCollection = usedHeap();
    return true;
  }
}

function usedHeap(): number {
  return v8.getHeapStatistics().used_heap_size;
}
