import hnswlib from "hnswlib-node";
import { IndexBuildError, IndexUnusableError } from "../errors.js";

export interface Neighbor {
  /** Position of the item in the list the index was built from. */
  label: number;
  /** Cosine similarity to the query, in [-1, 1]. */
  similarity: number;
}

/**
 * A cosine HNSW index over a fixed list of vectors, labelled by their position.
 * Builds are deterministic (fixed seed), so the same vectors give the same graph.
 */
export class VectorIndex {
  /**
   * Unit vectors, row by row: scoring a passage's sentences reads them per query, and a dot
   * product over this array is ~50× faster than hnswlib's `getPoint`.
   */
  private readonly unit: Float32Array;

  private constructor(
    private readonly hnsw: hnswlib.HierarchicalNSW,
    readonly dimensions: number,
    readonly size: number,
  ) {
    // A search visits at least `ef` candidates; for a few hundred points that is all of them.
    hnsw.setEf(Math.min(Math.max(size, 1), 200));
    this.unit = new Float32Array(size * dimensions);
    for (let label = 0; label < size; label++) this.unit.set(normalize(hnsw.getPoint(label)), label * dimensions);
  }

  static build(vectors: number[][], dimensions: number): VectorIndex {
    const hnsw = new hnswlib.HierarchicalNSW("cosine", dimensions);
    hnsw.initIndex({ maxElements: Math.max(vectors.length, 1), m: 16, efConstruction: 200, randomSeed: 100 });
    vectors.forEach((vector, label) => {
      if (vector.length !== dimensions)
        throw new IndexBuildError(`Vector ${label} has ${vector.length} dimensions, expected ${dimensions}`);
      hnsw.addPoint(vector, label);
    });
    return new VectorIndex(hnsw, dimensions, vectors.length);
  }

  /** @throws when the file is missing, truncated or does not hold `size` points of `dimensions`. */
  static async read(file: string, dimensions: number, size: number): Promise<VectorIndex> {
    const hnsw = new hnswlib.HierarchicalNSW("cosine", dimensions);
    await hnsw.readIndex(file);
    if (hnsw.getCurrentCount() !== size) {
      throw new IndexUnusableError(
        "corrupt",
        `${file} holds ${hnsw.getCurrentCount()} vectors, the manifest says ${size}`,
      );
    }
    return new VectorIndex(hnsw, dimensions, size);
  }

  async write(file: string): Promise<void> {
    await this.hnsw.writeIndex(file);
  }

  /** The `k` nearest items, most similar first. */
  search(query: number[], k: number): Neighbor[] {
    const count = Math.min(k, this.size);
    if (count === 0) return [];
    const { neighbors, distances } = this.hnsw.searchKnn(query, count);
    return neighbors.map((label, i) => ({ label, similarity: 1 - distances[i]! }));
  }

  /** Cosine similarities between `query` and the stored items `labels` (stored vectors are unit length). */
  similarities(query: number[], labels: number[]): number[] {
    const unit = normalize(query);
    const { dimensions } = this;
    return labels.map((label) => {
      let sum = 0;
      const offset = label * dimensions;
      for (let i = 0; i < dimensions; i++) sum += unit[i]! * this.unit[offset + i]!;
      return sum;
    });
  }
}

/**
 * The dimensions of the vectors in an hnswlib index file, from its header: after offsetLevel0,
 * maxElements, curElementCount and sizeDataPerElement (8 bytes each) come labelOffset and
 * offsetData; a point's data (4-byte floats) lies between the two. hnswlib takes the element size
 * from the file and the dimensions from its caller without comparing them, so a manifest with the
 * wrong dimensions would load and fail every search.
 * @throws when the bytes are too short or the header makes no sense.
 */
export function storedDimensions(bytes: Buffer): number {
  if (bytes.length < 48) throw new IndexUnusableError("corrupt", "too short to be an hnswlib index");
  const size = Number(bytes.readBigUInt64LE(32) - bytes.readBigUInt64LE(40));
  if (size <= 0 || size % 4 !== 0) throw new IndexUnusableError("corrupt", "not an hnswlib index header");
  return size / 4;
}

export function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(dot(vector, vector));
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
