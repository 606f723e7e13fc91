import { clock } from "./clock.js";
import type { ReadableSource, TimeSpan, Turn } from "./types.js";

/**
 * A subtitle cue as a format hands it over: its times, and its text with the tags gone, its lines
 * kept, and each voice (WebVTT's `<v Name>`) written in place as `voice(name)`.
 */
export interface TimedCue {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

/**
 * Writes a voice change into a cue's text, between two private-use characters: no transcript's
 * words hold them (cleanCue removes any a file brings), so the marker cannot be faked.
 */
export const voice = (name: string) => `\ue000${name}\ue001`;

interface Piece {
  text: string;
  /** A speaker change: a voice holds until another one; `>>` or a dialogue dash always starts a turn. */
  mark?: { speaker: string | null; always: boolean };
}

const inlineStamp = new RegExp(String.raw`[\[(]${clock}[\])]`, "g");
const leadingStamp = new RegExp(String.raw`^[ \t]*${clock}(?=\s|$)`, "gm");
const voiceMark = /\ue000([^\ue001]*)\ue001/;
// ">> JOHN SMITH: …", "- DR. JONES: …": a name in capitals after a speaker mark names the speaker.
const capitalsTag = /^\s*(\p{Lu}[\p{Lu}\p{M}'’.\- ]{0,40}?)\s*:(?:\s+|$)/u;

/**
 * The readable text of a run of cues: the spoken words, cues joined with a space while the
 * speaker stays, a blank line where a new one starts (a voice change, `>>`, a dialogue dash),
 * never a timing, tag or marker. Roll-up captions, where a cue repeats the previous one's words
 * before adding its own, add only the new words. `turns` when the layout marked any speaker;
 * `times` one span per cue.
 */
export function cueText(
  cues: readonly TimedCue[],
): Required<Pick<ReadableSource, "text" | "times">> & Pick<ReadableSource, "turns"> {
  let text = "";
  const times: TimeSpan[] = [];
  const turns: Turn[] = [];
  let marked = false;
  let turn: Turn | null = null;
  // The speaker a new turn will have, once words come; undefined while no mark waits.
  let pendingSpeaker: string | null | undefined;
  let previous = "";
  const closeTurn = () => {
    if (turn && text.length > turn.start) turns.push({ ...turn, end: text.length });
    turn = null;
  };
  for (const cue of cues) {
    const original = cleanCue(cue.text);
    const fresh = withoutRepeat(original, previous);
    previous = original;
    let cueStart: number | null = null;
    for (const piece of pieces(fresh)) {
      if (piece.mark) {
        marked = true;
        const speakerNow = pendingSpeaker !== undefined ? pendingSpeaker : turn?.speaker;
        // A voice repeated on the next cue goes on with its turn; `>>` always starts one.
        if (piece.mark.always || piece.mark.speaker !== speakerNow) pendingSpeaker = piece.mark.speaker;
      }
      const words = piece.text.replace(/\s+/g, " ").trim();
      if (words === "") continue;
      if (pendingSpeaker !== undefined || turn === null) {
        closeTurn();
        if (text !== "") text += "\n\n";
        turn = { speaker: pendingSpeaker ?? null, start: text.length, end: text.length };
        pendingSpeaker = undefined;
      } else {
        text += " ";
      }
      cueStart ??= text.length;
      text += words;
    }
    if (cueStart !== null) {
      times.push({ start: cueStart, end: text.length, startSeconds: cue.startSeconds, endSeconds: cue.endSeconds });
    } else if (times.length > 0) {
      // A cue that only repeated words: the words it repeated stay on screen until it ends.
      const last = times[times.length - 1]!;
      last.endSeconds = Math.max(last.endSeconds, cue.endSeconds);
    }
  }
  closeTurn();
  return marked ? { text, times, turns } : { text, times };
}

/** Removes what no one says: inline timings ("[00:01:02]", a line's leading "00:31"). */
function cleanCue(text: string): string {
  return text.replace(inlineStamp, " ").replace(leadingStamp, "");
}

/**
 * The part of a cue that is new after `previous`: all of it, unless it repeats the previous cue,
 * starts with all of its words (a roll-up adding words) or with its last lines (a roll-up
 * scrolling lines). A one-word cue is no roll-up: "No." then "No. I didn't." both were said.
 */
function withoutRepeat(text: string, previous: string): string {
  if (previous.trim() === "") return text;
  const earlier = previous.split(/\s+/).filter(Boolean);
  const words = [...text.matchAll(/\S+/g)];
  const repeats = earlier.length >= 2 || words.length === earlier.length;
  if (repeats && words.length >= earlier.length && earlier.every((word, index) => words[index]![0] === word)) {
    const last = words[earlier.length - 1]!;
    return text.slice(last.index + last[0].length);
  }
  const line = (value: string) => value.replace(/\s+/g, " ").trim();
  const earlierLines = previous.split("\n").map(line).filter(Boolean);
  const lines = text.split("\n");
  const lineTexts = lines.map(line);
  for (let overlap = Math.min(earlierLines.length, lines.length); overlap >= 1; overlap--) {
    const tail = earlierLines.slice(-overlap);
    const head = lineTexts.filter(Boolean).slice(0, overlap);
    if (tail.every((value, index) => value === head[index])) {
      // Drop the repeated lines (and any blank ones among them) from the front.
      let seen = 0;
      let cut = 0;
      while (seen < overlap) if (lineTexts[cut++] !== "") seen++;
      return lines.slice(cut).join("\n");
    }
  }
  return text;
}

/** Splits a cue's text at its speaker marks: voices, `>>`, dialogue dashes at a line's start. */
function pieces(text: string): Piece[] {
  const found: Piece[] = [];
  const segments = text.split(voiceMark);
  // split() with a capture group alternates text and voice names: [text, name, text, name, text].
  for (let index = 0; index < segments.length; index += 2) {
    const name = index > 0 ? segments[index - 1]!.trim() : undefined;
    let mark: Piece["mark"] = name === undefined ? undefined : { speaker: name || null, always: false };
    for (const line of segments[index]!.split("\n")) {
      const parts = line.split(/>>+/);
      for (const [partIndex, part] of parts.entries()) {
        let words = part;
        let always = partIndex > 0;
        // A dialogue dash opens a line; right after a voice, the voice already names the speaker.
        const dash = partIndex === 0 && !mark ? /^\s*[-–—]\s+/.exec(words) : null;
        if (dash) {
          words = words.slice(dash[0].length);
          always = true;
        }
        if (always) {
          const tag = capitalsTag.exec(words);
          if (tag) words = words.slice(tag[0].length);
          mark = { speaker: tag ? tag[1]!.trim() : null, always: true };
        }
        found.push(mark ? { text: words, mark } : { text: words });
        mark = undefined;
      }
    }
  }
  return found;
}
