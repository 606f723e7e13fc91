import type { IncomingMessage, ServerResponse } from "node:http";
import { FakeOpenAiServer } from "./fake-openai-server.js";

/**
 * The fake OpenAI-compatible server, with one more fault: `unfinished` streamed answers end
 * cleanly after two pieces — `data: [DONE]` and a closed response, as a proxy that loses the rest
 * of an answer might send — with no chunk ever carrying a `finish_reason`. Every other request is
 * the fake's.
 */
export class UnfinishedOpenAiServer extends FakeOpenAiServer {
  /** How many of the next streamed chat completions end early, without a finish reason. */
  unfinished = 0;

  protected override async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.unfinished === 0 || !request.url?.endsWith("/chat/completions")) return super.handle(request, response);
    let raw = "";
    for await (const chunk of request) raw += chunk;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    this.requests.push({ path: request.url, body, authorization: request.headers.authorization });
    const base = { id: "chatcmpl-unfinished", created: 0, model: String(body.model), object: "chat.completion.chunk" };
    if (!body.stream) {
      // Only streamed answers break off; a condensing call is answered whole.
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          ...base,
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content: "Unused." }, finish_reason: "stop" }],
        }),
      );
      return;
    }
    this.unfinished--;
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (delta: object) =>
      response.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
    send({ role: "assistant", content: "" });
    send({ content: "Cargo goes " });
    send({ content: "to Riga " });
    response.end("data: [DONE]\n\n");
  }
}
