import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What a valid token says: which page it was issued to, until when, and its own id (the quota's key). */
export interface Session {
  id: string;
  origin: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface SessionTokenOptions {
  /** HMAC-SHA256 key (SESSION_SECRET, or the one persisted in var/). */
  secret: Buffer;
  /** How long a token lives. */
  ttlSeconds: number;
  /** Default Date.now; tests pass a clock. */
  now?: () => number;
}

export type Verified = { ok: true; session: Session } | { ok: false; reason: "invalid" | "expired" | "wrong_origin" };

const version = "s1";

/**
 * Short-lived signed session tokens for the widget: `s1.<payload>.<mac>`, the payload being the
 * origin the token was issued to, its expiry and a random id. Stateless, so any worker or replica
 * holding the same secret verifies a token another one issued.
 */
export class SessionTokens {
  private readonly now: () => number;

  constructor(private readonly options: SessionTokenOptions) {
    this.now = options.now ?? Date.now;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  issue(origin: string): { token: string; session: Session } {
    const session: Session = {
      id: randomBytes(12).toString("base64url"),
      origin,
      expiresAt: this.now() + this.options.ttlSeconds * 1000,
    };
    const payload = Buffer.from(JSON.stringify({ i: session.id, o: session.origin, e: session.expiresAt })).toString(
      "base64url",
    );
    return { token: `${version}.${payload}.${this.mac(payload)}`, session };
  }

  /** Checks the signature first, then expiry, then that the request comes from the page the token was issued to. */
  verify(token: string, origin: string | undefined): Verified {
    const [prefix, payload, mac, ...rest] = token.split(".");
    if (prefix !== version || !payload || !mac || rest.length > 0) return { ok: false, reason: "invalid" };
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "invalid" };
    let fields: { i?: unknown; o?: unknown; e?: unknown };
    try {
      fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof fields;
    } catch {
      return { ok: false, reason: "invalid" };
    }
    if (typeof fields.i !== "string" || typeof fields.o !== "string" || typeof fields.e !== "number")
      return { ok: false, reason: "invalid" };
    if (fields.e <= this.now()) return { ok: false, reason: "expired" };
    // Bound to the origin: a token lifted from one site's page does not work from another's (or from curl without forging).
    if (origin !== fields.o) return { ok: false, reason: "wrong_origin" };
    return { ok: true, session: { id: fields.i, origin: fields.o, expiresAt: fields.e } };
  }

  private mac(payload: string): string {
    return createHmac("sha256", this.options.secret).update(`${version}.${payload}`).digest("base64url");
  }
}
