/** One Server-Sent Event: its `event:` name ("message" when none) and its joined `data:` lines. */
export interface SseMessage {
  event: string;
  data: string;
}

/**
 * An incremental Server-Sent Events parser (the WHATWG event-stream format): feed it decoded
 * text in chunks of any size; it calls `onMessage` for each complete event. Comments (the
 * server's heartbeats) and `id:`/`retry:` fields are ignored.
 */
export function createSseParser(onMessage: (message: SseMessage) => void): { feed(text: string): void } {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  const dispatch = () => {
    if (data.length > 0) onMessage({ event: event || "message", data: data.join("\n") });
    event = "";
    data = [];
  };
  const line = (text: string) => {
    if (text === "") return dispatch();
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  };
  let skipLineFeed = false;
  return {
    feed(text) {
      if (text === "") return;
      // A "\r" that ended the last chunk may be the first half of a "\r\n" split across chunks.
      if (skipLineFeed && text.startsWith("\n")) text = text.slice(1);
      buffer += text;
      const pattern = /\r\n|\r|\n/g;
      let start = 0;
      for (let match = pattern.exec(buffer); match; match = pattern.exec(buffer)) {
        line(buffer.slice(start, match.index));
        start = match.index + match[0].length;
      }
      skipLineFeed = start > 0 && buffer[start - 1] === "\r";
      buffer = buffer.slice(start);
    },
  };
}
