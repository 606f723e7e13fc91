import { describe, expect, it } from "vitest";
import { FormatError } from "../src/errors.js";
import type { ReadableSource } from "../src/ingest/formats/types.js";
import { webvtt } from "../src/ingest/formats/webvtt.js";

const read = (content: string) => webvtt.read(content, "talk.vtt");
const said = (source: ReadableSource, span: { start: number; end: number }) => source.text.slice(span.start, span.end);

const captions = `WEBVTT - Rivers

NOTE
Title: Rivers and roads
Interviewee: Jane Doe
Date: 5 March 2024

NOTE the next cue was retimed

intro-1
00:00:01.000 --> 00:00:03.000 align:start position:10%
<v Sam Writer>So, <i>why</i>
rivers?</v>

2
00:00:03.500 --> 00:00:06.000
<v Jane Doe>Because they go <00:00:04.000><c.highlight>somewhere</c> &amp; on.

00:00:06.000 --> 00:00:08.250
<v Jane Doe>They <b>never</b> stop.

00:00:08.250 --> 00:01:02.000
<v.loud Sam Writer>Thanks, Jane.
`;

describe("the WebVTT format", () => {
  it("reads the spoken words: cues joined with a space per speaker, a blank line at each change of voice", () => {
    expect(read(captions).text).toBe(
      "So, why rivers?\n\nBecause they go somewhere & on. They never stop.\n\nThanks, Jane.",
    );
  });

  it("never lets timings, cue ids, settings, voice or style tags or notes into the text", () => {
    const { text } = read(captions);
    expect(text).not.toMatch(/-->|\d\d:\d\d|intro-1|align|position|<|>|Sam Writer|WEBVTT|NOTE|retimed|&amp;/);
  });

  it("makes one turn per run of cues with the same voice, named by the voice", () => {
    const source = read(captions);
    expect(source.turns!.map((turn) => [turn.speaker, said(source, turn)])).toEqual([
      ["Sam Writer", "So, why rivers?"],
      ["Jane Doe", "Because they go somewhere & on. They never stop."],
      ["Sam Writer", "Thanks, Jane."],
    ]);
  });

  it("gives each cue a time span over its words", () => {
    const source = read(captions);
    expect(source.times!.map((time) => [said(source, time), time.startSeconds, time.endSeconds])).toEqual([
      ["So, why rivers?", 1, 3],
      ["Because they go somewhere & on.", 3.5, 6],
      ["They never stop.", 6, 8.25],
      ["Thanks, Jane.", 8.25, 62],
    ]);
  });

  it("reads Title, Interviewee and Date lines of NOTE blocks as metadata", () => {
    expect(read(captions).metadata).toEqual({ title: "Rivers and roads", interviewee: "Jane Doe", date: "2024-03-05" });
    expect(read("WEBVTT\n\n00:01.000 --> 00:02.000\nHi.\n").metadata).toEqual({});
  });

  it("adds only the new words of roll-up captions, and makes a turn at each >>", () => {
    const source = read(`WEBVTT
Kind: captions
Language: en

00:00:00.000 --> 00:00:02.000
hello everyone

00:00:02.000 --> 00:00:04.000
hello everyone welcome

00:00:04.000 --> 00:00:06.000
hello everyone welcome
to the show

00:00:06.000 --> 00:00:08.000
to the show
&gt;&gt; thanks for having me

00:00:08.000 --> 00:00:08.010
&gt;&gt; thanks for having me
`);
    expect(source.text).toBe("hello everyone welcome to the show\n\nthanks for having me");
    expect(source.turns!.map((turn) => [turn.speaker, said(source, turn)])).toEqual([
      [null, "hello everyone welcome to the show"],
      [null, "thanks for having me"],
    ]);
    expect(source.times!.map((time) => [said(source, time), time.startSeconds, time.endSeconds])).toEqual([
      ["hello everyone", 0, 2],
      ["welcome", 2, 4],
      ["to the show", 4, 6],
      ["thanks for having me", 6, 8.01],
    ]);
  });

  it("leaves turns out when no voice or >> marks a speaker, so the text parser reads tags such as 'Q:'", () => {
    const source = read("WEBVTT\n\n00:01.000 --> 00:02.000\nQ: Why?\n\n00:02.000 --> 00:03.000\nA: Because.\n");
    expect(source.text).toBe("Q: Why? A: Because.");
    expect(source.turns).toBeUndefined();
  });

  it("throws FormatError for a file without the WEBVTT header, or without cues", () => {
    expect(() => read("1\n00:00:01,000 --> 00:00:02,000\nAn SRT cue.\n")).toThrow(FormatError);
    expect(() => read("1\n00:00:01,000 --> 00:00:02,000\nAn SRT cue.\n")).toThrow(/does not start with "WEBVTT"/);
    expect(() => read("WEBVTT\n\nNOTE only a note\n")).toThrow(/talk\.vtt holds no WebVTT cue/);
    expect(() => read("WEBVTT\n\n00:01.000 --> 00:02.000\n<i></i>\n")).toThrow(FormatError);
  });
});
