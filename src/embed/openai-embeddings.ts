import type OpenAI from "openai";
import { UpstreamError } from "../errors.js";
import type { OpenAiClientConfig } from "../openai-client.js";
import { Embedder } from "./embedder.js";

export interface OpenAiEmbeddingsOptions {
  apiKey?: string;
  /** Any OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp). */
  baseURL?: string;
  /** Default "text-embedding-3-small". */
  model?: string;
  /** Texts per request. Default 128. */
  batchSize?: number;
  timeoutMs?: number;
  maxRetries?: number;
}

/** Embeddings from the OpenAI API, or any server that speaks its `/embeddings` endpoint. */
export class OpenAiEmbeddings extends Embedder {
  readonly id: string;
  private readonly clientConfig: OpenAiClientConfig;
  /** The `openai` package is imported on first use, so a server on local embeddings never loads it (80 ms at start). */
  private client:
    Promise<{ client: OpenAI; toUpstreamError: typeof import("../openai-client.js").toUpstreamError }> | undefined;
  private readonly model: string;
  private readonly batchSize: number;

  constructor(options: OpenAiEmbeddingsOptions) {
    super({});
    this.model = options.model ?? "text-embedding-3-small";
    this.id = `openai:${this.model}`;
    this.batchSize = options.batchSize ?? 128;
    this.clientConfig = {
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxRetries: options.maxRetries ?? 2,
    };
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let offset = 0; offset < texts.length; offset += this.batchSize) {
      vectors.push(...(await this.request(texts.slice(offset, offset + this.batchSize))));
    }
    return vectors;
  }

  override async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.request([text]);
    return vector!;
  }

  private async request(input: string[]): Promise<number[][]> {
    this.client ??= import("../openai-client.js").then(({ createOpenAiClient, toUpstreamError }) => ({
      client: createOpenAiClient(this.clientConfig),
      toUpstreamError,
    }));
    const { client, toUpstreamError } = await this.client;
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      response = await client.embeddings.create({ model: this.model, input, encoding_format: "float" });
    } catch (error) {
      // Whatever the server said stays in the (scrubbed) cause, for the log.
      throw toUpstreamError(error, client, "The embedding server");
    }
    const data = [...response.data].sort((a, b) => a.index - b.index);
    if (
      data.length !== input.length ||
      data.some((item) => !Array.isArray(item.embedding) || item.embedding.length === 0)
    ) {
      throw new UpstreamError(`Embedding server returned ${data.length} vectors for ${input.length} texts`, false);
    }
    return data.map((item) => item.embedding);
  }
}
