import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { loadCorpus } from "../src/ingest/load-corpus.js";

describe("loadCorpus", () => {
  it("reads linked transcripts and every supported format, and passes over folders, hidden and other files", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "corpus-"));
    const data = path.join(root, "data");
    await mkdir(data);
    await writeFile(path.join(root, "kept-elsewhere.txt"), "Title\n\nQ: Why?\nA: Because.\n");
    await symlink(path.join(root, "kept-elsewhere.txt"), path.join(data, "linked.txt"));
    await writeFile(path.join(data, "notes.md"), "---\ntitle: Notes\n---\n\n**Q:** How?\n\n**A:** Slowly.\n");
    await writeFile(path.join(data, ".hidden.txt"), "Q: Hidden?\nA: Yes.\n");
    await writeFile(path.join(data, "slides.pptx"), "PK");
    await mkdir(path.join(data, "folder.txt"));
    const logger = { info: vi.fn(), warn: vi.fn() };
    const files = await loadCorpus(data, { logger });
    const skipped = logger.info.mock.calls.map((call) => call[1] as string);
    expect(files.map((file) => [file.name, file.format])).toEqual([
      ["linked.txt", "txt"],
      ["notes.md", "markdown"],
    ]);
    expect(skipped).toEqual([expect.stringMatching(/^Skipping slides\.pptx: not a supported format/)]);
  });
});
