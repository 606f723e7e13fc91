import { z } from "zod";

/** One interview of the archive, as `GET /api/sources` lists it. */
export const sourceSummarySchema = z.object({
  id: z
    .string()
    .meta({ description: "The file's name without its extension (the whole name when two files share it)" }),
  name: z
    .string()
    .meta({ description: "The file within data/: what citations' `source` and requests' `sources` name" }),
  title: z.string().nullable(),
  interviewee: z.string().nullable(),
  interviewer: z.string().nullable().meta({ description: "Who asked: a person, an outlet or the tag they ask under" }),
  date: z.string().nullable(),
  format: z.string().meta({ description: "txt, markdown, html, vtt, srt, docx or pdf" }),
  timestamps: z.boolean().meta({ description: "Whether citations from it carry `time`" }),
  questions: z.number().int().meta({ description: "How many interviewer questions it was parsed into" }),
});

/** `GET /api/sources/:id`: the summary and the readable text every citation's start and end index. */
export const sourceDetailSchema = sourceSummarySchema.extend({
  text: z
    .string()
    .meta({ description: "The readable text: text.slice(citation.start, citation.end) === citation.quote" }),
});

export const sourceListSchema = z.object({ sources: z.array(sourceSummarySchema) });

export type SourceSummary = z.infer<typeof sourceSummarySchema>;
export type SourceDetail = z.infer<typeof sourceDetailSchema>;
