/** The part of a stream a progress bar needs; `process.stderr` is one. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  update(done: number, total: number, id: string): void;
  /** Clears the bar so what follows starts on a clean line. */
  clear(): void;
}

/**
 * A one-line progress bar redrawn in place ("[#####-----] 23/72 q023"). Only on a terminal: piped
 * or redirected output (CI logs) gets nothing, so it never mixes escape codes into files.
 */
export function createProgress(stream: ProgressStream): Progress {
  if (!stream.isTTY) return { update: () => {}, clear: () => {} };
  let drawn = false;
  return {
    update(done, total, id) {
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 30));
      const filled = total ? Math.round((done / total) * width) : width;
      stream.write(`\r\u001b[2K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${id}`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write("\r\u001b[2K");
      drawn = false;
    },
  };
}
