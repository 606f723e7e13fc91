import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

/**
 * Reply ids that prove where they came from. Feedback may reach a worker or replica before the
 * turn it rates is written (it waits in the writer's queue); a signed id tells a reply this server
 * (or a peer with the same key) gave from one never given, without asking the store.
 */
export class ReplyIds {
  private readonly key: Buffer;

  /** @param secret shared by every worker and replica (the session secret); a random one of this process's when absent. */
  constructor(secret: Buffer = randomBytes(32)) {
    // A key of its own, derived, so a reply id never doubles as a session token's signature.
    this.key = createHmac("sha256", secret).update("interview-chat reply ids").digest();
  }

  /** A new id: `<prefix><uuid>.<signature>`. */
  issue(prefix = ""): string {
    const body = `${prefix}${randomUUID()}`;
    return `${body}.${this.sign(body)}`;
  }

  /** Whether `id` was issued with this key. */
  verify(id: string): boolean {
    const dot = id.lastIndexOf(".");
    if (dot <= 0) return false;
    const given = Buffer.from(id.slice(dot + 1));
    const expected = Buffer.from(this.sign(id.slice(0, dot)));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** 128 bits of an HMAC-SHA-256, base64url. */
  private sign(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url").slice(0, 22);
  }
}
