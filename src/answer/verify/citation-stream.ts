import { chunkKey } from "../../ingest/chunk-interview.js";
import type { Passage } from "../../retrieve/types.js";
import type { TextSpan } from "../../text/split-sentences.js";
import type { AnswerKind, Citation, Claim } from "../types.js";
import {
  claimFeatures,
  type ClaimFeatures,
  type ClaimSupport,
  type QuoteWindow,
  type SupportVerdict,
} from "./claim-support.js";
import {
  comparableText,
  normalizeMarkers,
  noteTurnsToClaim,
  possibleMarkerStart,
  quotedPhrases,
  refusesInOtherWords,
} from "./model-markup.js";

/**
 * The quote the drafter already chose for its i-th marker (the extractive answerer knows its
 * sentence). It is used only when it lies inside the passage that marker names.
 */
export interface PreferredQuote {
  passage: number;
  span: TextSpan;
}

export interface CitationStreamOptions {
  passages: Passage[];
  support: ClaimSupport;
  /** The sentence that says the interview does not answer: never a claim. */
  refusal: string;
  preferred?: PreferredQuote[];
  /** "flag" (default): unsupported claims stay, marked; "drop": they are left out of the answer. */
  unsupported?: "flag" | "drop";
  /** Read footnote-style markers (`^1`, `[^1]`, `【1】`, `(1)`) as `[n]`: a model writes them; the extractive drafter never does. */
  footnotes?: boolean;
}

/** What the answer turned out to be, once the draft has ended. */
export interface VerifiedAnswer {
  citations: Citation[];
  claims: Claim[];
  kind: AnswerKind;
  /** True when the answer states something and every claim is supported. */
  grounded: boolean;
}

// "[2]", "[1, 3]", "[1][2]": markers citing passages by their 1-based number.
const markerGroup = /(\s*)\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;
/**
 * The end of a sentence: closing punctuation, closing quotes, then any markers (models write
 * `… deputies [1].` and `… deputies. [1]` alike), seen only once the next sentence has begun,
 * since a marker may still follow the full stop; or the end of a line. Bounded repetitions keep
 * a scan from any offset short, which keeps the whole stream linear in the answer's length.
 */
const sentenceEnd =
  /[.!?…]["'”’)]{0,4}(?:\s{0,8}\[\d{1,3}(?:\s*,\s*\d{1,3}){0,15}\]){0,8}(?=\s+[^\s[])|[^\s\n](?=[ \t]*\n)/g;
// Longest text `sentenceEnd` can match plus its lookahead: a rescan starts this far back.
const longestEnd = 256;
/** A run-on "sentence" is cut here, so one claim's verification stays small. */
const longestSentence = 1500;
/** An answer's own sentence saying what the interview leaves out: a note, not a claim. */
const note =
  /^(?:the|this) (?:interview|passages?|text) (?:does not|doesn['’]t|do not|don['’]t|did not|gives no|makes no|says nothing|is silent)\b/i;

interface Marker {
  /** 1-based passage numbers, as written. */
  passages: number[];
}

/**
 * Turns a draft whose `[n]` markers name retrieved passages into the final answer, its claims and
 * their citations, as the draft streams in. Each sentence that states something is a claim: its
 * markers (before or after its full stop, `[1][2]` or `[1, 2]`) name the passages backing it; a
 * sentence without markers is checked against every retrieved passage. For each claim the quote
 * is the window of up to three consecutive sentences of a cited passage that best backs it, and
 * `ClaimSupport` decides whether it does. A claim its cited passages do not back but another
 * retrieved passage does has its citation moved there (the marker is renumbered): the reader is
 * sent to the passage that holds the fact. Markers naming no retrieved passage are removed.
 *
 * The model's text is kept: only marker numbers change (citations are numbered in order of first
 * appearance; the same quote keeps one number), and unknown markers go. Text is passed on as soon
 * as it is safe: only from a sentence's first `[` to its end is held back (the whole sentence when
 * unsupported claims are dropped).
 */
export class CitationStream {
  readonly citations: Citation[] = [];
  readonly claims: Claim[] = [];
  private readonly numberOf = new Map<string, number>();
  private readonly unsupported: "flag" | "drop";
  private markerIndex = 0;
  /** The current unfinished sentence, with the whitespace before it. */
  private pending = "";
  /** How much of `pending` has been passed on unchanged. */
  private shown = 0;
  /** Where in `pending` the search for a sentence end resumes. */
  private scanFrom = 0;
  /** Length of the answer passed on so far: claims' offsets. */
  private written = 0;

  constructor(private readonly options: CitationStreamOptions) {
    this.unsupported = options.unsupported ?? "flag";
  }

  /** Feeds more draft text; returns the answer text that can be shown now. */
  async push(text: string): Promise<string> {
    this.pending += text;
    if (this.options.footnotes) this.pending = normalizeMarkers(this.pending, this.options.passages.length);
    // The answer starts at its first word: claims' offsets count from there.
    if (this.written === 0) this.pending = this.pending.replace(/^\s+/, "");
    let output = "";
    for (;;) {
      sentenceEnd.lastIndex = this.scanFrom;
      const match = sentenceEnd.exec(this.pending);
      let end = match ? match.index + match[0].length : -1;
      if (end === -1 && this.pending.length > longestSentence) end = cutRunOn(this.pending);
      if (end === -1) break;
      const sentence = this.pending.slice(0, end);
      const shown = this.shown;
      this.pending = this.pending.slice(end);
      this.shown = 0;
      this.scanFrom = 0;
      output += await this.finish(sentence, shown);
    }
    this.scanFrom = Math.max(0, this.pending.length - longestEnd);
    return output + this.showSafe();
  }

  /** Feeds one whole sentence (the text before it must have ended a sentence); returns it as shown. */
  async pushSentence(sentence: string): Promise<string> {
    const output = await this.push("");
    const text = this.written === 0 ? sentence.replace(/^\s+/, "") : sentence;
    return text.trim() ? output + (await this.finish(text, 0)) : output;
  }

  /** Ends the draft; returns the rest of the answer text. */
  async end(): Promise<string> {
    const sentence = this.pending.replace(/\s+$/, "");
    const shown = Math.min(this.shown, sentence.length);
    this.pending = "";
    this.shown = 0;
    let output = sentence.trim() ? await this.finish(sentence, shown) : "";
    // Every claim dropped: the reader is told the interview does not answer rather than shown nothing.
    if (this.written === 0 && output === "") {
      output = this.options.refusal;
      this.written = output.length;
    }
    return output;
  }

  result(): VerifiedAnswer {
    const kind: AnswerKind = this.claims.length > 0 ? "answer" : "no_answer";
    return {
      citations: this.citations,
      claims: this.claims,
      kind,
      grounded: kind === "answer" && this.claims.every((claim) => claim.supported),
    };
  }

  /** The unchanged text before the current sentence's first marker (nothing while dropping is possible). */
  private showSafe(): string {
    if (this.unsupported === "drop") return "";
    const marker = this.options.footnotes ? this.pending.search(possibleMarkerStart) : this.pending.indexOf("[");
    const safe = (marker === -1 ? this.pending : this.pending.slice(0, marker)).replace(/\s+$/, "");
    if (safe.length <= this.shown) return "";
    const output = safe.slice(this.shown);
    this.shown = safe.length;
    this.written += output.length;
    return output;
  }

  /** Completes one sentence (with the whitespace before it, `shown` characters of it already passed on); returns the rest of it. */
  private async finish(raw: string, shown: number): Promise<string> {
    const body = raw.replace(/^\s+/, "");
    // Nothing shown yet (the sentences before were dropped): the answer still starts at a word.
    const gap = this.written === 0 ? "" : raw.slice(0, raw.length - body.length);
    const start = this.written - shown + gap.length;
    const markers: Marker[] = [];
    const plain = body
      .replace(markerGroup, (_, _space: string, list: string) => {
        markers.push({ passages: list.split(",").map((value) => Number(value.trim())) });
        return "";
      })
      .trim();
    let rewritten: string;
    const isNote =
      markers.length === 0 && ((note.test(plain) && !noteTurnsToClaim(plain)) || refusesInOtherWords(plain));
    if (plain === this.options.refusal || isNote || !statesSomething(plain)) {
      // Not a claim: the refusal, a note on what the interview leaves out, a heading or a question.
      rewritten = body.replace(markerGroup, "");
      this.markerIndex += markers.reduce((sum, marker) => sum + marker.passages.length, 0);
    } else {
      const checked = await this.check(plain, markers);
      // Words in quotation marks are the interview's own or nothing: a paraphrase in quotes is not supported.
      const misquoted = this.misquoted(plain, checked.windows);
      if (misquoted.length > 0)
        checked.verdict = {
          ...checked.verdict,
          supported: false,
          missing: [...checked.verdict.missing, ...misquoted],
        };
      if (!checked.verdict.supported && this.unsupported === "drop") return "";
      const numbers = checked.windows.map((window) => this.register(window));
      const printed = new Set<number>();
      let group = 0;
      rewritten = body.replace(markerGroup, (_, space: string, list: string) => {
        const kept = checked.numbersByGroup[group++]!.map((i) => numbers[i]!).filter((n) => !printed.has(n));
        kept.forEach((n) => printed.add(n));
        return kept.length === 0 ? "" : `${space}[${kept.join(/,\s*/.exec(list)?.[0] ?? ", ")}]`;
      });
      this.claims.push({
        text: rewritten,
        start,
        end: start + rewritten.length,
        citations: [...new Set(numbers)],
        supported: checked.verdict.supported,
        support: checked.verdict.support,
      });
    }
    const output = (gap + rewritten).slice(shown);
    this.written += output.length;
    return output;
  }

  /** The phrases the claim puts in quotation marks that no passage it cites holds word for word. */
  private misquoted(text: string, windows: QuoteWindow[]): string[] {
    const phrases = quotedPhrases(text);
    if (phrases.length === 0) return [];
    const texts = windows.map((window) => comparableText(this.options.passages[window.passage]!.chunk.text));
    return phrases.filter((phrase) => !texts.some((passage) => passage.includes(comparableText(phrase))));
  }

  /**
   * The quotes backing one claim: a window from each passage its markers cite, or, when those do
   * not back it (or it cites none), the best window of any retrieved passage if that one does.
   */
  private async check(
    text: string,
    markers: Marker[],
  ): Promise<{ windows: QuoteWindow[]; numbersByGroup: number[][]; verdict: SupportVerdict }> {
    const { passages, support } = this.options;
    const features = claimFeatures(text);
    const cited: QuoteWindow[] = [];
    const numbersByGroup: number[][] = [];
    const windowOf = new Map<number, number>();
    const similarities = new Map<number, number[]>();
    let vector: number[] | null | undefined;
    const similaritiesOf = async (index: number) => {
      if (!similarities.has(index)) {
        vector ??= await support.embed(features);
        similarities.set(index, support.similarities(vector, passages[index]!));
      }
      return similarities.get(index)!;
    };
    for (const marker of markers) {
      const group: number[] = [];
      for (const number of marker.passages) {
        const preferred = this.options.preferred?.[this.markerIndex++];
        const index = number - 1;
        if (!passages[index]) continue;
        if (!windowOf.has(index)) {
          const window =
            preferredWindow(preferred, number, passages) ??
            (await this.bestWindow(features, index, similaritiesOf))?.window;
          if (!window) continue;
          windowOf.set(index, cited.length);
          cited.push(window);
        }
        group.push(windowOf.get(index)!);
      }
      numbersByGroup.push(group);
    }
    // A claim in its cited passage's own words is settled without an embedding.
    if (cited.length > 0 && cited.every((window) => support.verbatim(features, window.span))) {
      return { windows: cited, numbersByGroup, verdict: support.verdict(features, cited, passages, similarities) };
    }
    for (const window of cited) await similaritiesOf(window.passage);
    const verdict = support.verdict(features, cited, passages, similarities);
    if (verdict.supported) return { windows: cited, numbersByGroup, verdict };
    // Not backed by what it cites: is it backed by another retrieved passage?
    let best: { window: QuoteWindow; score: number } | null = null;
    for (let index = 0; index < passages.length; index++) {
      const candidate = await this.bestWindow(features, index, similaritiesOf);
      if (candidate && (!best || candidate.score > best.score)) best = candidate;
    }
    const moved = best && support.verdict(features, [best.window], passages, similarities);
    if (best && moved?.supported)
      return {
        windows: [best.window],
        numbersByGroup: numbersByGroup.map((_, i) => (i === 0 ? [0] : [])),
        verdict: moved,
      };
    // Unsupported: it keeps the quotes it cited, so the reader sees what they say; with none, it has no quote.
    return {
      windows: cited,
      numbersByGroup,
      verdict: cited.length > 0 || !moved ? verdict : { ...moved, supported: false },
    };
  }

  private async bestWindow(
    features: ClaimFeatures,
    index: number,
    similaritiesOf: (index: number) => Promise<number[]>,
  ) {
    const found = this.options.support.bestWindow(features, this.options.passages, index, await similaritiesOf(index));
    return found && { window: found.window, score: found.score };
  }

  /** The citation number of a quote, numbering new quotes in order of first appearance. */
  private register(window: QuoteWindow): number {
    const passage = this.options.passages[window.passage]!;
    const { span } = window;
    const key = `${chunkKey(passage.chunk)}@${span.start}-${span.end}`;
    let n = this.numberOf.get(key);
    if (n === undefined) {
      n = this.citations.length + 1;
      this.numberOf.set(key, n);
      this.citations.push({
        n,
        source: passage.chunk.source,
        chunkId: passage.chunk.id,
        section: passage.chunk.section,
        quote: span.text,
        start: span.start,
        end: span.end,
      });
    }
    return n;
  }
}

/**
 * The whole-draft form of `CitationStream`. A draft given as sentences (each with the whitespace
 * that goes before it) is taken as split: a drafter that quotes "… Kazakhstan. What changes …?”"
 * knows where its sentences end better than punctuation does.
 */
export async function attachCitations(
  draft: string | string[],
  options: CitationStreamOptions,
): Promise<VerifiedAnswer & { answer: string }> {
  const stream = new CitationStream(options);
  let answer = "";
  for (const sentence of typeof draft === "string" ? [draft] : draft)
    answer += typeof draft === "string" ? await stream.push(sentence) : await stream.pushSentence(sentence);
  answer = (answer + (await stream.end())).trimEnd();
  return { answer, ...stream.result() };
}

function preferredWindow(
  preferred: PreferredQuote | undefined,
  number: number,
  passages: Passage[],
): QuoteWindow | null {
  if (!preferred || preferred.passage !== number) return null;
  const { chunk } = passages[number - 1]!;
  const { span } = preferred;
  const inside =
    span.start >= chunk.start &&
    span.end <= chunk.end &&
    chunk.text.slice(span.start - chunk.start, span.end - chunk.start) === span.text;
  if (!inside) return null;
  // The sentences it spans, for similarity; none when it is the passage's question rather than its answer.
  const from = chunk.sentences.findIndex((sentence) => sentence.end > span.start);
  const to = chunk.sentences.findLastIndex((sentence) => sentence.start < span.end);
  return { passage: number - 1, from: from === -1 ? 0 : from, to: Math.min(to, from === -1 ? -1 : to), span };
}

/** Whether a sentence asserts something: it has words, and is neither a question nor a lead-in to a list. */
function statesSomething(text: string): boolean {
  return /\p{L}{2}/u.test(text) && !/[?:]\s*$/.test(text);
}

/** Where a run-on sentence is cut: the last whitespace before the limit, or the limit. */
function cutRunOn(text: string): number {
  const space = text.lastIndexOf(" ", longestSentence);
  return space > longestSentence / 2 ? space : longestSentence;
}
