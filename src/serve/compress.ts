import { constants } from "node:zlib";
import compression from "compression";
import type { RequestHandler } from "express";

/**
 * gzip or brotli, as the client accepts, for every reply of 1 KB or more: /widget.js, the demo
 * page, JSON answers. Never for Server-Sent Events: a compressor buffers, and a stream's events
 * must reach the reader as they are written (the streams also send `Cache-Control: no-transform`).
 *
 * Brotli at quality 5, not the middleware's 4: on dist/widget.js (33,357 bytes) quality 4 gave
 * 12,603 bytes, more than gzip's 12,330; quality 5 gives 11,838 (11 gives 11,001 but took about
 * 14 times as long as gzip, too slow to pay on every request).
 */
export function compressReplies(): RequestHandler {
  return compression({
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } },
    filter: (request, response) =>
      !isEventStream(response.getHeader("Content-Type")) && compression.filter(request, response),
  });
}

function isEventStream(type: unknown): boolean {
  return String(type ?? "")
    .toLowerCase()
    .startsWith("text/event-stream");
}
