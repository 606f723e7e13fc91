import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Request, Response } from "express";
import { chooseEncoding, varyOnEncoding, type ContentCoding } from "./compress.js";

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

interface Variant {
  body: Buffer;
  etag: string;
}

interface Loaded {
  /** The identity file's mtime and size when read: a change reloads every variant. */
  key: string;
  lastModified: string;
  identity: Variant;
  br: Variant;
  gzip: Variant;
}

/** The file names `npm run build` writes beside each asset (src/cli/build-widget.ts). */
export const precompressedSuffix: Record<ContentCoding, string> = { br: ".br", gzip: ".gz" };

/**
 * One static file (dist/widget.js, demo.js, demo.css) served from memory as brotli, gzip or as it
 * is, whichever the client accepts, with `Vary: Accept-Encoding` and an ETag per encoding. The
 * compressed bytes are the `.br` and `.gz` files the build wrote beside it (brotli 11, gzip 9);
 * where they are missing or older than the file, it is compressed once here. The file is checked
 * (stat) on each request and read again when it changed, so a rebuild is served at once.
 */
export class PrecompressedAsset {
  private loaded: Promise<Loaded> | undefined;

  constructor(private readonly file: string) {}

  async send(request: Request, response: Response): Promise<void> {
    const asset = await this.current();
    const coding = chooseEncoding(request.headers["accept-encoding"]);
    const variant = coding ? asset[coding] : asset.identity;
    response.setHeader("Cache-Control", "public, max-age=3600");
    // helmet says same-origin; other sites' <script> tags must be able to load the widget.
    response.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
    response.setHeader("Last-Modified", asset.lastModified);
    response.setHeader("ETag", variant.etag);
    varyOnEncoding(response);
    if (coding) response.setHeader("Content-Encoding", coding);
    response.type(path.extname(this.file));
    response.send(variant.body); // answers 304 itself when the request's If-None-Match holds this ETag
  }

  private async current(): Promise<Loaded> {
    const stats = await stat(this.file);
    const key = `${stats.mtimeMs}-${stats.size}`;
    const loaded = this.loaded;
    if (loaded) {
      const asset = await loaded.catch(() => undefined);
      if (asset?.key === key) return asset;
      if (this.loaded !== loaded) return this.current(); // another request is reloading it
    }
    const reload = this.load(key, stats);
    this.loaded = reload;
    reload.catch(() => {
      if (this.loaded === reload) this.loaded = undefined; // a file that is back later is read again
    });
    return reload;
  }

  private async load(key: string, { mtime, mtimeMs }: Stats): Promise<Loaded> {
    const [body, brFile, gzipFile] = await Promise.all([
      readFile(this.file),
      readIfFresh(`${this.file}${precompressedSuffix.br}`, mtimeMs),
      readIfFresh(`${this.file}${precompressedSuffix.gzip}`, mtimeMs),
    ]);
    const [br, gz] = await Promise.all([
      brFile ??
        brotli(body, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
        }),
      gzipFile ?? gzipAsync(body, { level: 9 }),
    ]);
    return {
      key,
      lastModified: mtime.toUTCString(),
      identity: variant(body),
      br: variant(br),
      gzip: variant(gz),
    };
  }
}

/**
 * A precompressed file beside the asset, unless it is missing or older than the asset (a stale
 * build). The build gives it the asset's mtime; set through utimes, which takes seconds as a
 * float, it may come back a microsecond earlier: within a millisecond counts as the same time.
 */
async function readIfFresh(file: string, assetMtimeMs: number): Promise<Buffer | undefined> {
  try {
    if ((await stat(file)).mtimeMs < assetMtimeMs - 1) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}
function variant(body: Buffer): Variant {
  return {
    body,
    etag: `W/"${body.length.toString(16)}-${createHash("sha1").update(body).digest("base64").slice(0, 27)}"`,
  };
}
