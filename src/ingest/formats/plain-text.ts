import { stripLineTimestamps } from "./timestamped-text.js";
import type { SourceFormat } from "./types.js";

/**
 * A `.txt` transcript is already what a reader reads: kept byte-for-byte (CRLF included), so offsets
 * are the file's. A video transcript with a stamp on most lines ("00:31 …") is read without them,
 * its broken caption lines joined, and keeps each line's moment as a time map.
 */
export const plainText: SourceFormat = {
  name: "txt",
  extensions: [".txt"],
  read: (content) => {
    const stamped = stripLineTimestamps(content);
    return stamped ? { text: stamped.text, metadata: {}, times: stamped.times } : { text: content, metadata: {} };
  },
};
