import hnswlib from "hnswlib-node";
import { IndexBuildError, IndexUnusableError } from "../errors.js";
import { normalize, type VectorHit, type VectorIndex, type VectorIndexKind } from "./vector-index.js";

/**
 * A cosine HNSW index (hnswlib) over a fixed list of vectors. hnswlib labels items by number: the
 * label is the item's position in `ids`. Builds are deterministic (fixed seed), so the same
 * vectors give the same graph.
 */
class HnswIndex implements VectorIndex {
  /**
   * Unit vectors, row by row: scoring a passage's sentences reads them per query, and a dot
   * product over this array is ~50× faster than hnswlib's `getPoint`.
   */
  private readonly unit: Float32Array;
  private readonly labels: Map<string, number>;

  constructor(
    private readonly hnsw: hnswlib.HierarchicalNSW,
    private readonly ids: readonly string[],
    readonly dimensions: number,
  ) {
    const size = ids.length;
    // A search visits at least `ef` candidates; for a few hundred points that is all of them.
    hnsw.setEf(Math.min(Math.max(size, 1), 200));
    this.unit = new Float32Array(size * dimensions);
    for (let label = 0; label < size; label++) this.unit.set(normalize(hnsw.getPoint(label)), label * dimensions);
    this.labels = new Map(ids.map((id, label) => [id, label]));
  }

  get size(): number {
    return this.ids.length;
  }

  async write(file: string): Promise<void> {
    await this.hnsw.writeIndex(file);
  }

  async search(query: number[], k: number): Promise<VectorHit[]> {
    const count = Math.min(k, this.size);
    if (count === 0) return [];
    const { neighbors, distances } = this.hnsw.searchKnn(query, count);
    return neighbors.map((label, i) => ({ id: this.ids[label]!, similarity: 1 - distances[i]! }));
  }

  similarities(query: number[], ids: readonly string[]): number[] {
    const unit = normalize(query);
    const { dimensions } = this;
    return ids.map((id) => {
      const label = this.labels.get(id);
      if (label === undefined) return 0;
      let sum = 0;
      const offset = label * dimensions;
      for (let i = 0; i < dimensions; i++) sum += unit[i]! * this.unit[offset + i]!;
      return sum;
    });
  }
}

/** hnswlib-node, saved as one file per index beside chunks.json: the default vector index. */
export const hnswIndexKind: VectorIndexKind = {
  name: "hnswlib",

  build(items, dimensions) {
    const hnsw = new hnswlib.HierarchicalNSW("cosine", dimensions);
    hnsw.initIndex({ maxElements: Math.max(items.length, 1), m: 16, efConstruction: 200, randomSeed: 100 });
    items.forEach(({ vector }, label) => {
      if (vector.length !== dimensions)
        throw new IndexBuildError(`Vector ${label} has ${vector.length} dimensions, expected ${dimensions}`);
      hnsw.addPoint(vector, label);
    });
    return new HnswIndex(
      hnsw,
      items.map((item) => item.id),
      dimensions,
    );
  },

  async read(file, ids, dimensions) {
    const hnsw = new hnswlib.HierarchicalNSW("cosine", dimensions);
    await hnsw.readIndex(file);
    if (hnsw.getCurrentCount() !== ids.length) {
      throw new IndexUnusableError(
        "corrupt",
        `${file} holds ${hnsw.getCurrentCount()} vectors, the manifest says ${ids.length}`,
      );
    }
    return new HnswIndex(hnsw, ids, dimensions);
  },

  /**
   * From the hnswlib file's header: after offsetLevel0, maxElements, curElementCount and
   * sizeDataPerElement (8 bytes each) come labelOffset and offsetData; a point's data (4-byte
   * floats) lies between the two. hnswlib takes the element size from the file and the dimensions
   * from its caller without comparing them, so a manifest with the wrong dimensions would load and
   * fail every search.
   */
  storedDimensions(bytes) {
    if (bytes.length < 48) throw new IndexUnusableError("corrupt", "too short to be an hnswlib index");
    const size = Number(bytes.readBigUInt64LE(32) - bytes.readBigUInt64LE(40));
    if (size <= 0 || size % 4 !== 0) throw new IndexUnusableError("corrupt", "not an hnswlib index header");
    return size / 4;
  },
};
