/**
 * Every word the widget shows or says, in English and German (`data-lang="de"`); `data-labels`
 * overrides any of them with a JSON object. `{n}` and `{wait}` are filled in where used.
 */
export const english = {
  /** The language the widget writes in (its `lang`); its direction is left to right in both. */
  lang: "en",
  title: "Ask the interview",
  greeting:
    "Hello! Ask me anything about this interview. Every answer cites the interview's own words: select a number to read the quote.",
  placeholder: "Ask about the interview…",
  question: "Your question",
  open: "Open chat",
  close: "Close chat",
  clear: "Clear conversation",
  clearAsk: "Clear the whole conversation?",
  clearYes: "Clear",
  clearNo: "Keep it",
  cleared: "Conversation cleared.",
  send: "Send question",
  stop: "Stop answering",
  conversation: "Conversation",
  suggested: "Suggested questions",
  you: "You: ",
  answer: "Answer: ",
  stopped: "Stopped.",
  retry: "Try again",
  copy: "Copy answer",
  copied: "Copied",
  helpful: "Helpful",
  notHelpful: "Not helpful",
  rateAsk: "Was this answer helpful?",
  thanks: "Thanks for the feedback.",
  quote: "Quote {n} · the interviewer asked",
  from: "From {source}",
  at: "at {time}",
  seek: "Go to {time} in the recording",
  citation: "Citation {n}: show the quote",
  showInText: "Show in the interview",
  notFound: "not found in the interview",
  abstained: "The interview does not answer this question.",
  degraded: "The language model was unavailable, so this answer is quoted straight from the interview.",
  cutOff: "The answer was cut off — try again.",
  unreachable: "The chat server cannot be reached right now. Check your connection, then try again.",
  unavailable: "The chat isn't available on this page.",
  rateLimited: "Too many questions at once. Please wait {wait}, then try again.",
  seconds: "about {n} seconds",
  minute: "about a minute",
  minutes: "about {n} minutes",
  moment: "a moment",
  waitLeft: "You can ask again in {time}.",
  notSent: "The question could not be sent: ",
  serverTrouble: "The chat server had trouble answering. Please try again.",
  wrong: "Something went wrong. Please try again.",
};

export type Labels = typeof english;

const german: Partial<Labels> = {
  lang: "de",
  title: "Fragen zum Interview",
  greeting:
    "Hallo! Fragen Sie mich alles zu diesem Interview. Jede Antwort zitiert das Interview selbst: Wählen Sie eine Nummer, um das Zitat zu lesen.",
  placeholder: "Frage zum Interview…",
  question: "Ihre Frage",
  open: "Chat öffnen",
  close: "Chat schließen",
  clear: "Unterhaltung löschen",
  clearAsk: "Die ganze Unterhaltung löschen?",
  clearYes: "Löschen",
  clearNo: "Behalten",
  cleared: "Unterhaltung gelöscht.",
  send: "Frage senden",
  stop: "Antwort anhalten",
  conversation: "Unterhaltung",
  suggested: "Vorgeschlagene Fragen",
  you: "Sie: ",
  answer: "Antwort: ",
  stopped: "Angehalten.",
  retry: "Erneut versuchen",
  copy: "Antwort kopieren",
  copied: "Kopiert",
  helpful: "Hilfreich",
  notHelpful: "Nicht hilfreich",
  rateAsk: "War diese Antwort hilfreich?",
  thanks: "Danke für die Rückmeldung.",
  quote: "Zitat {n} · die Frage im Interview",
  from: "Aus {source}",
  at: "bei {time}",
  seek: "Die Aufnahme auf {time} stellen",
  citation: "Quelle {n}: Zitat zeigen",
  showInText: "Im Interview zeigen",
  notFound: "nicht im Interview gefunden",
  abstained: "Das Interview beantwortet diese Frage nicht.",
  degraded: "Das Sprachmodell war nicht erreichbar, daher zitiert diese Antwort direkt aus dem Interview.",
  cutOff: "Die Antwort wurde abgebrochen — bitte erneut versuchen.",
  unreachable: "Der Chat-Server ist gerade nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
  unavailable: "Der Chat ist auf dieser Seite nicht verfügbar.",
  rateLimited: "Zu viele Fragen auf einmal. Bitte warten Sie {wait} und versuchen Sie es dann erneut.",
  seconds: "etwa {n} Sekunden",
  minute: "etwa eine Minute",
  minutes: "etwa {n} Minuten",
  moment: "einen Moment",
  waitLeft: "Wieder fragen in {time}.",
  notSent: "Die Frage konnte nicht gesendet werden: ",
  serverTrouble: "Der Chat-Server hatte Probleme beim Antworten. Bitte erneut versuchen.",
  wrong: "Etwas ist schiefgegangen. Bitte erneut versuchen.",
};

const languages: Record<string, Partial<Labels>> = { en: {}, de: german };

/** The labels for `lang` (a BCP 47 tag; only its language counts, unknown ones are English), then `overrides` on top (strings only). */
export function labelsFor(lang: string | undefined, overrides: unknown = {}): Labels {
  const base = { ...english, ...languages[(lang ?? "en").toLowerCase().split("-")[0]!] };
  if (overrides && typeof overrides === "object") {
    for (const [key, value] of Object.entries(overrides))
      if (key in english && typeof value === "string") base[key as keyof Labels] = value;
  }
  return base;
}

/** `template` with each `{name}` replaced. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
