import { createHash } from "node:crypto";
import { Embedder } from "../../src/embed/embedder.js";

/** Hashes words into a repeatable bag-of-words vector and records its calls. */
export class FakeEmbedder extends Embedder {
  readonly calls: string[][] = [];

  constructor(
    readonly id = "fake:hash-64",
    private readonly dimensions = 64,
  ) {
    super({});
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    this.calls.push(texts);
    return texts.map((text) => this.vector(text));
  }

  override async embedQuery(text: string): Promise<number[]> {
    this.calls.push([text]);
    return this.vector(text);
  }

  private vector(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const word of text.toLowerCase().match(/\p{L}+|\p{N}+/gu) ?? []) {
      vector[createHash("md5").update(word).digest().readUInt32LE(0) % this.dimensions]! += 1;
    }
    vector[0]! += 0.01;
    return vector;
  }
}
