import { limits, type WireCitation, type WireClaim, type WireKind, type WireTurn } from "./contract.js";

export interface UserMessage {
  role: "user";
  text: string;
}

export interface AnswerFailure {
  code: string;
  message: string;
  status: number;
  retryAfter?: number;
  /** When a rate limit's wait ends (ms since the epoch), so a reload goes on waiting. */
  until?: number;
}

export interface AssistantMessage {
  role: "assistant";
  /** The answer so far, with its `[n]` markers. */
  text: string;
  /** The question it answers, so a failed one can be asked again. */
  question: string;
  status: "streaming" | "done" | "stopped" | "error";
  citations: WireCitation[];
  kind?: WireKind;
  claims?: WireClaim[];
  grounded?: boolean;
  degraded?: boolean;
  /** Questions the interview answers, offered under the reply. */
  suggestions?: string[];
  error?: AnswerFailure;
  /** The server's id of the reply (from the `done` event), which the thumbs rate. */
  id?: string;
  /** The reader's thumbs on it, once given. */
  rating?: "up" | "down";
}

export type Message = UserMessage | AssistantMessage;

/**
 * The `history` to send with the next question: the user's questions and the finished answers
 * (not stopped or failed ones), the last `limits.turns`, each cut to `limits.turnLength`.
 */
export function historyOf(messages: Message[]): WireTurn[] {
  return messages
    .filter((message) => message.role === "user" || message.status === "done")
    .map((message) => ({ role: message.role, content: message.text.trim().slice(0, limits.turnLength) }))
    .filter((turn) => turn.content !== "")
    .slice(-limits.turns);
}

type SessionStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/**
 * Keeps the conversation in `sessionStorage` so it survives a reload of the page (not a new tab).
 * Storage can be missing or full (private modes, sandboxed frames): then it simply is not kept.
 */
export function conversationStore(storage: SessionStore | null, key: string) {
  return {
    load(): Message[] {
      try {
        const saved: unknown = JSON.parse(storage?.getItem(key) ?? "[]");
        if (!Array.isArray(saved)) return [];
        return (saved as Message[])
          .filter(
            (message) => (message.role === "user" || message.role === "assistant") && typeof message.text === "string",
          )
          .map((message) =>
            message.role === "assistant" && message.status === "streaming"
              ? { ...message, text: message.text.trim(), status: "stopped" }
              : message,
          );
      } catch {
        return [];
      }
    },
    save(messages: Message[]): void {
      try {
        storage?.setItem(key, JSON.stringify(messages));
      } catch {
        // Quota or access denied: the conversation lives only as long as the page.
      }
    },
    clear(): void {
      try {
        storage?.removeItem(key);
      } catch {
        // As above.
      }
    },
  };
}
