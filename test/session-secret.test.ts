import { chmod, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSessionSecret } from "../src/serve/session-secret.js";

describe("the session-token key", () => {
  it("is SESSION_SECRET when set, and nothing is written", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "session-secret-"));
    const file = path.join(folder, "var/session-secret");
    expect((await loadSessionSecret({ secret: "s".repeat(32), file })).toString()).toBe("s".repeat(32));
    await expect(stat(file)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("is generated once and kept, the same for every worker starting at once, readable by its owner only", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "session-secret-"));
    const file = path.join(folder, "var/session-secret");
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadSessionSecret({ file })));
    expect(new Set(keys.map((key) => key.toString())).size).toBe(1);
    expect(keys[0]!.length).toBeGreaterThanOrEqual(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await loadSessionSecret({ file })).equals(keys[0]!)).toBe(true); // a restart keeps it
    expect((await readFile(file, "utf8")).trim()).toBe(keys[0]!.toString());
  });

  it("fails with one line naming the file and the fix when it cannot be kept", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "session-secret-"));
    await writeFile(path.join(folder, "var"), "a file where the folder should be");
    await expect(loadSessionSecret({ file: path.join(folder, "var/session-secret") })).rejects.toThrow(
      /var\/session-secret .*set SESSION_SECRET or make that folder writable/,
    );
    const short = path.join(folder, "short");
    await writeFile(short, "too short");
    await chmod(short, 0o600);
    await expect(loadSessionSecret({ file: short })).rejects.toThrow(/fewer than 32 characters/);
  });
});
