import { mkdtemp, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayAnswer, type AnswerEvent, type Answerer, type ChatRequest } from "../src/answer/types.js";
import { precompress } from "../src/cli/build-widget.js";
import { widgetRoutes } from "../src/serve/widget-routes.js";
import { FakeAnswerer } from "./support/fake-answerer.js";
import { startApp } from "./support/http.js";

// A widget.js of realistic size and shape (the bundle is minified JS; this repeats a code-like line).
const widgetSource = Array.from(
  { length: 800 },
  (_, i) => `var a${i}=function(t){return t.querySelector(".chip-${i % 13}")};`,
).join("\n");

/** Streams the fake answer, but holds everything after the first delta until `release()`. */
class GatedAnswerer implements Answerer {
  readonly mode = "extractive" as const;
  private readonly inner = new FakeAnswerer();
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  release(): void {
    this.open();
  }
  answer(request: ChatRequest) {
    return this.inner.answer(request);
  }
  async *stream(request: ChatRequest): AsyncIterable<AnswerEvent> {
    let deltas = 0;
    for await (const event of replayAnswer(await this.inner.answer(request))) {
      yield event;
      if (event.type === "delta" && ++deltas === 1) await this.gate;
    }
  }
}

let answerer: GatedAnswerer;
let app: Awaited<ReturnType<typeof startApp>>;

beforeAll(async () => {
  const assetsDir = await mkdtemp(path.join(tmpdir(), "interview-chat-compression-"));
  await writeFile(path.join(assetsDir, "widget.js"), widgetSource);
  answerer = new GatedAnswerer();
  app = await startApp({ answerer, widget: widgetRoutes({ interviews: [], assetsDir }) });
});

afterAll(() => app?.close());

/** A raw HTTP exchange (fetch would decompress and hide the encoding), its body as it arrives. */
function send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers }, resolve);
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

async function readAll(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("compression", () => {
  it("sends /widget.js gzipped or brotli-compressed when the client accepts it, and plain otherwise", async () => {
    const gzipped = await send("GET", `${app.url}/widget.js`, { "accept-encoding": "gzip" });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    const gzippedBody = await readAll(gzipped);
    expect(gunzipSync(gzippedBody).toString()).toBe(widgetSource);
    expect(gzippedBody.length).toBeLessThan(widgetSource.length / 3);

    const brotli = await send("GET", `${app.url}/widget.js`, { "accept-encoding": "br, gzip" });
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(await readAll(brotli)).toString()).toBe(widgetSource);

    const plain = await send("GET", `${app.url}/widget.js`, {});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect((await readAll(plain)).toString()).toBe(widgetSource);
  });

  it("compresses JSON replies", async () => {
    const response = await send("GET", `${app.url}/openapi.json`, { "accept-encoding": "gzip" });
    expect(response.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(await readAll(response)).toString())).toHaveProperty("openapi");
  });

  it("never compresses an event stream, which arrives event by event", async () => {
    const response = await send(
      "POST",
      `${app.url}/api/chat`,
      { "content-type": "application/json", "accept-encoding": "gzip, deflate, br" },
      JSON.stringify({ message: "Which ports?", stream: true }),
    );
    expect(response.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(response.headers["content-encoding"]).toBeUndefined();
    // The answerer holds the rest of the answer until the first delta has reached this client:
    // a compressor buffering the stream would leave both waiting until the test times out.
    let received = "";
    let onData = () => {};
    response.on("data", (chunk: Buffer) => {
      received += chunk.toString();
      onData();
    });
    const ended = new Promise((resolve) => response.on("end", resolve));
    await new Promise<void>((resolve) => {
      onData = () => received.includes("event: delta") && resolve();
      onData();
    });
    expect(received).toContain("event: contexts");
    expect(received).not.toContain("event: done");
    answerer.release();
    await ended;
    expect(received).toContain("event: done");
  });
});

describe("precompressed static files", () => {
  let assets: Awaited<ReturnType<typeof startApp>>;
  let brFile: Buffer;
  let gzipFile: Buffer;

  beforeAll(async () => {
    const assetsDir = await mkdtemp(path.join(tmpdir(), "interview-chat-precompressed-"));
    await writeFile(path.join(assetsDir, "widget.js"), widgetSource);
    // Distinct from what the server would make of the file itself (brotli 11, gzip 9), so the test
    // tells the build's files from compression on the fly.
    brFile = brotliCompressSync(widgetSource, { params: { [constants.BROTLI_PARAM_QUALITY]: 2 } });
    gzipFile = gzipSync(widgetSource, { level: 2 });
    await writeFile(path.join(assetsDir, "widget.js.br"), brFile);
    await writeFile(path.join(assetsDir, "widget.js.gz"), gzipFile);
    // As the build leaves them: with the source's own mtime (a later write may carry an earlier time).
    const { mtime } = await stat(path.join(assetsDir, "widget.js"));
    for (const suffix of [".br", ".gz"]) await utimes(path.join(assetsDir, `widget.js${suffix}`), mtime, mtime);
    // demo.css with a .br older than itself: a stale build, whose .br must not be sent.
    await writeFile(path.join(assetsDir, "demo.css.br"), brotliCompressSync("stale"));
    await utimes(path.join(assetsDir, "demo.css.br"), new Date(0), new Date(0));
    await writeFile(path.join(assetsDir, "demo.css"), "body { color: red }\n".repeat(100));
    assets = await startApp({ answerer: new FakeAnswerer(), widget: widgetRoutes({ interviews: [], assetsDir }) });
  });

  afterAll(() => assets?.close());

  it("sends the build's .br file as it is to a client that accepts brotli", async () => {
    const response = await send("GET", `${assets.url}/widget.js`, { "accept-encoding": "gzip, deflate, br" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-encoding"]).toBe("br");
    expect(response.headers["content-type"]).toMatch(/^(text|application)\/javascript/);
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect((await readAll(response)).equals(brFile)).toBe(true);
  });

  it("sends the build's .gz file as it is to a client that accepts gzip only", async () => {
    const response = await send("GET", `${assets.url}/widget.js`, { "accept-encoding": "gzip, deflate" });
    expect(response.headers["content-encoding"]).toBe("gzip");
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect((await readAll(response)).equals(gzipFile)).toBe(true);
  });

  it("sends the file as it is to a client that accepts neither, or refuses them with q=0", async () => {
    const requests: Array<Record<string, string>> = [
      {},
      { "accept-encoding": "identity" },
      { "accept-encoding": "br;q=0, gzip;q=0" },
    ];
    for (const headers of requests) {
      const response = await send("GET", `${assets.url}/widget.js`, headers);
      expect(response.headers["content-encoding"]).toBeUndefined();
      expect(response.headers.vary).toMatch(/accept-encoding/i);
      expect((await readAll(response)).toString()).toBe(widgetSource);
    }
  });

  it("gives each encoding its own ETag, and answers 304 to the one the client holds", async () => {
    const etags = new Set<string>();
    for (const encoding of ["br", "gzip", "identity"]) {
      const response = await send("GET", `${assets.url}/widget.js`, { "accept-encoding": encoding });
      await readAll(response);
      etags.add(String(response.headers.etag));
      const again = await send("GET", `${assets.url}/widget.js`, {
        "accept-encoding": encoding,
        "if-none-match": String(response.headers.etag),
      });
      expect(again.statusCode).toBe(304);
      await readAll(again);
    }
    expect(etags.size).toBe(3);
  });

  it("compresses a file itself when its precompressed copy is older than it", async () => {
    const response = await send("GET", `${assets.url}/demo.css`, { "accept-encoding": "br" });
    expect(response.headers["content-encoding"]).toBe("br");
    expect(response.headers["content-type"]).toMatch(/^text\/css/);
    expect(brotliDecompressSync(await readAll(response)).toString()).toBe("body { color: red }\n".repeat(100));
  });

  it("are what the build writes: its .br and .gz carry the file's own mtime, so they are never taken for stale", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "interview-chat-build-"));
    const file = path.join(folder, "widget.js");
    await writeFile(file, widgetSource);
    await utimes(file, new Date(2_000_000_000_000), new Date(2_000_000_000_000)); // later than the writes below
    const written = await precompress(file);
    const times = await Promise.all([file, ...written].map(async (name) => Math.floor((await stat(name)).mtimeMs)));
    expect(new Set(times)).toEqual(new Set([2_000_000_000_000]));
    expect(brotliDecompressSync(await readFile(written[0]!)).toString()).toBe(widgetSource);
  });
});

describe("JSON replies", () => {
  it("are brotli-compressed for a client that accepts it, with Vary: Accept-Encoding", async () => {
    const response = await send("GET", `${app.url}/openapi.json`, { "accept-encoding": "gzip, deflate, br" });
    expect(response.headers["content-encoding"]).toBe("br");
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    const body = await readAll(response);
    expect(Number(response.headers["content-length"])).toBe(body.length);
    expect(JSON.parse(brotliDecompressSync(body).toString())).toHaveProperty("openapi");
  });

  it("go as they are under 1 KB", async () => {
    const response = await send("GET", `${app.url}/healthz`, { "accept-encoding": "gzip, br" });
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse((await readAll(response)).toString())).toEqual({ status: "ok" });
  });
});
