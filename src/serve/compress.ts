import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { IncomingHttpHeaders } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/** The encodings the server sends, best first: what `chooseEncoding` picks from. */
export type ContentCoding = "br" | "gzip";

/** Replies smaller than this go as they are: the bytes saved are fewer than a packet. */
export const compressThreshold = 1024;

/**
 * Compresses a reply sent whole (`response.json`, `response.send`: JSON answers, the demo page),
 * in one synchronous call at a cheap level, when the client accepts it and the reply is at least
 * 1 KB of text. Never event streams, nor anything written in parts (`response.write`): a
 * compressor buffers, and a stream's events must reach the reader as they are written (the
 * streams also send `Cache-Control: no-transform`). Nor a reply that already has its
 * Content-Encoding: the widget's files go precompressed at build time (src/serve/widget-routes.ts).
 *
 * Why not the `compression` middleware, as before: it ran every reply through a zlib stream
 * (threadpool round trips, a fresh compressor state per request), which cost a 6.9 KB cached
 * answer 1.7 ms p50 over loopback against 0.1 ms for the same bytes compressed in one call
 * (docs/benchmarks.md, "Compression"). Brotli quality 1 and gzip level 1: on that answer, 2,863
 * and 2,721 bytes in 0.06–0.1 ms, against 2,382 bytes in 0.3 ms at brotli 5.
 */
export function compressReplies(): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const accepted = request.headers["accept-encoding"];
    if (!accepted || request.method === "HEAD") {
      next();
      return;
    }
    let streamed = false;
    const write = response.write;
    const end = response.end;
    response.write = function (this: Response, ...args: Parameters<Response["write"]>) {
      streamed = true;
      response.write = write;
      response.end = end;
      return write.apply(this, args);
    } as Response["write"];
    response.end = function (this: Response, chunk?: unknown, encoding?: unknown, callback?: unknown) {
      response.write = write;
      response.end = end;
      const body = streamed ? undefined : asBuffer(chunk, encoding);
      const coding =
        body && body.length >= compressThreshold && compressible(response) ? chooseEncoding(accepted) : null;
      if (body && coding) {
        const compressed = compress(body, coding);
        response.setHeader("Content-Encoding", coding);
        response.setHeader("Content-Length", compressed.length);
        varyOnEncoding(response);
        const done = typeof encoding === "function" ? encoding : callback;
        return (end as (chunk: Buffer, callback?: unknown) => Response).call(this, compressed, done);
      }
      if (body && !response.headersSent) varyOnEncoding(response);
      return (end as (...args: unknown[]) => Response).call(this, chunk, encoding, callback);
    } as Response["end"];
    next();
  };
}

function compress(body: Buffer, coding: ContentCoding): Buffer {
  return coding === "br"
    ? brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 1,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        },
      })
    : gzipSync(body, { level: 1, memLevel: 9 });
}

function asBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === "string")
    return Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  return undefined;
}

/** Whether a whole reply should be compressed: text of a kind that shrinks, not already encoded, not marked no-transform. */
function compressible(response: Response): boolean {
  if (response.statusCode < 200 || response.statusCode === 204 || response.statusCode === 304) return false;
  if (response.getHeader("Content-Encoding")) return false;
  if (/\bno-transform\b/i.test(String(response.getHeader("Cache-Control") ?? ""))) return false;
  const type = String(response.getHeader("Content-Type") ?? "").toLowerCase();
  if (type.startsWith("text/event-stream")) return false;
  return /^(text\/|application\/(json|javascript|xml|[\w.-]+\+(json|xml))|image\/svg\+xml)/.test(type);
}

/** Adds Accept-Encoding to Vary: the reply differs by it (also when sent uncompressed to a client that accepts compression). */
export function varyOnEncoding(response: Response): void {
  const vary = response.getHeader("Vary");
  if (!vary) response.setHeader("Vary", "Accept-Encoding");
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(String(vary)))
    response.setHeader("Vary", `${String(vary)}, Accept-Encoding`);
}

/**
 * The encoding to send for an Accept-Encoding header: brotli when accepted, else gzip, else none
 * (identity). A coding with q=0 is refused; `*` stands for any coding not named.
 */
export function chooseEncoding(accepted: IncomingHttpHeaders["accept-encoding"]): ContentCoding | null {
  if (!accepted) return null;
  const quality = new Map<string, number>();
  for (const part of accepted.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)).find(Boolean);
    quality.set(name.trim(), q ? Number(q[1]) : 1);
  }
  const of = (coding: string) => quality.get(coding) ?? quality.get("*") ?? 0;
  const br = of("br");
  const gzip = Math.max(of("gzip"), of("x-gzip"));
  if (br > 0 && br >= gzip) return "br";
  if (gzip > 0) return "gzip";
  return null;
}
