/**
 * Regular-expression source built from named lists of alternatives, so that a long pattern reads
 * as the word lists it is made of and a list can be reviewed (and extended) on its own.
 *
 * Convention: an alternative is a phrase written as regex source, not escaped. A space in it
 * stands for any run of whitespace (`\s+`), so phrases read as phrases ("prime minister"); what
 * else must vary is written as regex ("songs?", "ok(?:ay)?", "tl;?\s?dr"). An alternative may hold
 * another list's `anyOf`. A character special to regex (`.`, `?`, `(`) that should match itself
 * must be escaped.
 *
 * @param space what a space in an alternative stands for; `" "` keeps it a single space.
 */
export function anyOf(alternatives: readonly string[], space = "\\s+"): string {
  return `(?:${alternatives.map((alternative) => alternative.replaceAll(" ", space)).join("|")})`;
}

/** `anyOf`, matched only as whole words: not inside a longer word ("hi" is no match in "this"). */
export function words(alternatives: readonly string[], space?: string): string {
  return `\\b${anyOf(alternatives, space)}\\b`;
}
