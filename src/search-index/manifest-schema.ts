import { z } from "zod";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be a sha256 in hex");

/**
 * What `manifest.json` must hold for the index to be read at all. A manifest edited by hand, cut
 * short or written by a bug would otherwise pass as an index that serves 500s (a wrong
 * `dimensions`) or stop the process with a TypeError (`"files": null`); anything that does not
 * match is "corrupt", and the index is rebuilt.
 */
export const manifestSchema = z.object({
  formatVersion: z.number().int().min(1),
  builtAt: z.string(),
  embedder: z.object({ id: z.string().min(1), dimensions: z.number().int().min(1).max(65_536) }),
  sources: z.array(z.object({ name: z.string().min(1), sha256 })).min(1, "must list at least one source"),
  chunkCount: z.number().int().min(1),
  sentenceCount: z.number().int().min(0),
  files: z.object({ "chunks.json": sha256, "chunks.hnsw": sha256, "sentences.hnsw": sha256 }),
});

/** The first thing wrong with a manifest, as "path: problem", or null when it is well-formed. */
export function manifestProblem(value: unknown): string | null {
  const parsed = manifestSchema.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return `${issue.path.length > 0 ? issue.path.join(".") : "the manifest"}: ${issue.message}`;
}
