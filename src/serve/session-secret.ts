import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError, ConfigError } from "../errors.js";

/**
 * The key session tokens are signed with: SESSION_SECRET when set, else the one in `file`,
 * generated on first start. Every worker (and a restarted server) must sign with the same key, or
 * a token issued by one is refused by another; so the first to start writes it, the rest read it.
 * The write is a hard link from a finished temporary file, which either creates the whole file or
 * fails because another process already did: no process ever reads half a secret.
 */
export async function loadSessionSecret({ secret, file }: { secret?: string; file: string }): Promise<Buffer> {
  if (secret) return Buffer.from(secret, "utf8");
  try {
    return await readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw unusable(file, error);
  }
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temporary, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600 });
    await link(temporary, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
    return await readSecret(file);
  } catch (error) {
    throw unusable(file, error);
  } finally {
    await rm(temporary, { force: true });
  }
}

async function readSecret(file: string): Promise<Buffer> {
  const text = (await readFile(file, "utf8")).trim();
  if (text.length < 32) throw new ConfigError(`${file} holds fewer than 32 characters`);
  return Buffer.from(text, "utf8");
}

function unusable(file: string, cause: unknown): AppError {
  return new AppError(
    "session_secret_unavailable",
    `Cannot keep the session-token key in ${file} (${(cause as Error).message}): set SESSION_SECRET or make that folder writable`,
    500,
    { cause },
  );
}
