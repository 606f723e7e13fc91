/**
 * A clock time as transcripts write it: "00:31", "1:02:03", "00:01:02,500", "12:04.25". Two
 * parts are minutes and seconds (minutes may pass 59 in a long recording), three add the hours.
 */
export const clock = String.raw`(?:\d{1,2}:)?\d{1,3}:[0-5]\d(?:[.,]\d{1,3})?`;

/** Seconds from the recording's start for a time matching `clock`. */
export function clockSeconds(time: string): number {
  const [main, fraction = ""] = time.split(/[.,]/);
  const parts = main!.split(":").map(Number);
  const seconds = parts.reduce((total, part) => total * 60 + part, 0);
  return fraction === "" ? seconds : seconds + Number(`0.${fraction}`);
}
