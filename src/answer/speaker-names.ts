import type { ParsedInterview } from "../ingest/parse-interview.js";
import type { TermStatistics } from "../retrieve/term-statistics.js";

/** Name terms of who speaks in each file of data/ (by file name). */
export type SpeakerNames = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The name terms of who speaks in each file: the interviewee ("Ambassador Margulan Baimukhan") and
 * the answering tags ("S. KISLYAK"). Every passage of a file is theirs, whether or not it writes
 * their name: "When did Kislyak …?" and "The Ambassador says …" name the speaker of any of them.
 */
export function speakerNames(interviews: ParsedInterview[], terms: TermStatistics): SpeakerNames {
  return new Map(
    interviews.map((interview) => {
      const names = [interview.interviewee?.name, ...interview.questions.map((section) => section.answerSpeaker)];
      const found = new Set<string>();
      for (const name of names)
        if (name && !/^(?:a|answer)\.?$/i.test(name)) for (const term of terms.termsOf(name)) found.add(term);
      return [interview.source.name, found];
    }),
  );
}
