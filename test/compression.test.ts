import { mkdtemp, writeFile } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayAnswer, type AnswerEvent, type Answerer, type ChatRequest } from "../src/answer/types.js";
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
