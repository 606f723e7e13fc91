import type { SourceDetail } from "../contract/index.js";
import type { ParsedInterview } from "./parse-interview.js";

/** What the archive says about one interview: from its metadata where the source gives it, else from its parse. */
export function describeSource(interview: ParsedInterview): SourceDetail {
  const { source } = interview;
  const metadata = source.metadata ?? {};
  const asker = interview.questions[0]?.speaker;
  return {
    id: source.id,
    name: source.name,
    title: metadata.title ?? oneLine(interview.title?.text) ?? null,
    interviewee: metadata.interviewee ?? interview.interviewee?.name ?? null,
    interviewer: metadata.interviewer ?? metadata.outlet ?? (asker && asker !== "Q" ? asker : null),
    date: metadata.date ?? null,
    format: source.format ?? "txt",
    timestamps: (source.times?.length ?? 0) > 0,
    questions: interview.questions.length,
    text: source.text,
  };
}

function oneLine(text: string | undefined): string | undefined {
  return text?.split(/\r?\n/)[0]?.trim() || undefined;
}
