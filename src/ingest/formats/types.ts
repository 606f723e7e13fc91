/**
 * What every input format gives the rest of the pipeline: the source's readable text (what a reader
 * reads; every offset in the system indexes it, and `GET /api/sources/:id` serves it), who speaks
 * where when the layout says so, what the source says about itself, and for timestamped sources the
 * moment of each stretch of text.
 */
export interface ReadableSource {
  /**
   * The readable text. For plain text and Markdown it is the file's body as written (Markdown's
   * front matter removed); for HTML the article's text, one paragraph a block, blank lines between;
   * for subtitles the spoken words, cues joined with a space (a new speaker starts a new paragraph),
   * never a timing, cue number or voice tag.
   */
  text: string;
  metadata: SourceMetadata;
  /**
   * The turns when the layout marks them outside the text (a subtitle's `<v Name>` or `>>`, an HTML
   * question in `<strong>`): each a span of `text` with its speaker. Absent when speakers are
   * written in the text itself ("Q:", "S. KISLYAK:"), which the parser reads from the text.
   */
  turns?: Turn[];
  /** For timestamped sources: the moment of each stretch of `text`, in text order, not overlapping. */
  times?: TimeSpan[];
}

export interface SourceMetadata {
  title?: string;
  /** Who was interviewed ("Sergey Kislyak", "the Prime Minister"). */
  interviewee?: string;
  /** Who asked: a person or an outlet. */
  interviewer?: string;
  outlet?: string;
  /** As the source gives it (ISO when it can be read as a date). */
  date?: string;
}

export interface Turn {
  /** The speaker's name or tag as the source gives it; null when the layout only marks a change. */
  speaker: string | null;
  /** Offsets into the readable text: `text.slice(start, end)` is what the turn says. */
  start: number;
  end: number;
  /** True when the layout marks the turn as a question of the interviewer's (bold, a heading). */
  asks?: boolean;
}

export interface TimeSpan {
  /** Offsets into the readable text. */
  start: number;
  end: number;
  /** Seconds from the start of the recording. */
  startSeconds: number;
  endSeconds: number;
}

export interface SourceFormat {
  /** Short name shown in `/api/sources` ("txt", "markdown", "html", "vtt", "srt", "docx", "pdf"). */
  name: string;
  /** Lower-case file extensions with the dot (".md", ".markdown"). */
  extensions: readonly string[];
  /** Absent: the file is text, read as UTF-8 (see BinaryFormat for the others). */
  binary?: false;
  /**
   * Turns the file's content into its readable text.
   * @throws FormatError (from errors.ts) with a message naming what is wrong, when the file cannot be read as this format.
   */
  read(content: string, fileName: string): ReadableSource;
}

/**
 * A format whose files are not text (a .docx is a zip, a .pdf a binary): it is handed the file's
 * bytes, and reads them asynchronously. Its readable text is still text like any other's.
 */
export interface BinaryFormat {
  name: string;
  extensions: readonly string[];
  binary: true;
  /**
   * Turns the file's bytes into its readable text.
   * @throws FormatError (from errors.ts) with a message naming what is wrong, when the file cannot be read as this format.
   */
  read(content: Buffer, fileName: string): Promise<ReadableSource>;
}
