import { UpstreamError } from "../../errors.js";

export interface DeadlineOptions {
  /** The whole budget, first byte to last, retries included. */
  timeoutMs: number;
  /** The longest gap allowed between two pieces of an answer once it has started. */
  idleTimeoutMs?: number;
  /** The client's signal: when it aborts, so does everything under this deadline. */
  signal?: AbortSignal;
}

/**
 * One deadline for an LLM answer. The OpenAI SDK's own `timeout` stops counting once the response
 * headers arrive and restarts on every retry, so an upstream that sends headers and then nothing
 * (or drips tokens forever) would hold a request open without end. Every await on the upstream
 * goes through `race`, which rejects with an `upstream_timeout` error when the deadline passes or
 * the stream goes idle; `signal` (given to the SDK) aborts the request, retries and their sleeps.
 */
export class UpstreamDeadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly endsAt: number;
  private readonly expired: Promise<never>;
  private readonly timer: NodeJS.Timeout;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly onParentAbort: () => void;

  constructor(
    private readonly options: DeadlineOptions,
    private readonly parent?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    this.endsAt = Date.now() + options.timeoutMs;
    this.expired = new Promise<never>((_, reject) => {
      this.signal.addEventListener("abort", () => reject(this.signal.reason), { once: true });
    });
    // Nobody may be racing when it fires; the rejection is still observed by every later race.
    this.expired.catch(() => {});
    this.timer = setTimeout(() => this.expire(`no complete answer within ${options.timeoutMs} ms`), options.timeoutMs);
    this.timer.unref();
    const upstream = parent ?? options.signal;
    this.onParentAbort = () => this.controller.abort(upstream?.reason);
    if (upstream?.aborted) this.onParentAbort();
    else upstream?.addEventListener("abort", this.onParentAbort, { once: true });
  }

  /** Milliseconds left, at least 1. */
  remaining(): number {
    return Math.max(1, this.endsAt - Date.now());
  }

  /** A deadline inside this one, ending after `ms` at most (a step such as condensing a follow-up). */
  within(ms: number): UpstreamDeadline {
    return new UpstreamDeadline(
      { timeoutMs: Math.min(ms, this.remaining()), idleTimeoutMs: this.options.idleTimeoutMs },
      this.signal,
    );
  }

  /** Settles as `promise` does, unless the deadline passes (or the client goes away) first. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.signal.aborted) {
      promise.catch(() => {}); // settles later, unobserved otherwise
      return Promise.reject(this.signal.reason);
    }
    return Promise.race([promise, this.expired]);
  }

  /** Something arrived: restarts the idle clock (started by the first call). */
  touch(): void {
    const { idleTimeoutMs } = this.options;
    if (idleTimeoutMs === undefined || this.signal.aborted) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () => this.expire(`nothing for ${idleTimeoutMs} ms in the middle of an answer`),
      idleTimeoutMs,
    );
    this.idleTimer.unref();
  }

  /** Whether this deadline ended by timing out (not by the client going away). */
  get timedOut(): boolean {
    return this.signal.aborted && this.signal.reason instanceof UpstreamError;
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.idleTimer);
    (this.parent ?? this.options.signal)?.removeEventListener("abort", this.onParentAbort);
  }

  private expire(why: string): void {
    if (this.signal.aborted) return;
    this.controller.abort(
      new UpstreamError("The language model did not answer in time", true, {
        status: 504,
        cause: new Error(`LLM deadline: ${why}`),
      }),
    );
  }
}
