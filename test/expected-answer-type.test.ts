import { describe, expect, it } from "vitest";
import {
  attributeNoun,
  countsThing,
  expectedAnswerType,
  isList,
  isLure,
  isSpecific,
  satisfiesAnswerType,
  shareOfSomethingElse,
  thingNamed,
} from "../src/answer/expected-answer-type.js";

describe("expected answer type", () => {
  it("reads the kind of answer off the question's wording, the most specific first", () => {
    expect(expectedAnswerType("On what day of the week did people vote?")).toBe("weekday");
    expect(expectedAnswerType("In what month did the president visit Brussels?")).toBe("month");
    expect(expectedAnswerType("What share of deputies will be directly elected?")).toBe("share");
    expect(expectedAnswerType("How big a portion of the constitution changes?")).toBe("share");
    expect(expectedAnswerType("How many articles are amended?")).toBe("quantity");
    expect(expectedAnswerType("When did the referendum take place?")).toBe("time");
    expect(expectedAnswerType("Which member states invest the most?")).toBe("countries");
    expect(expectedAnswerType("Which country hosted the meeting?")).toBe("country");
    expect(expectedAnswerType("Which international stars has he worked with?")).toBe("people");
    expect(expectedAnswerType("How long will the presidential term be?")).toBe("duration");
    expect(expectedAnswerType("Who is Kazakhstan's foreign minister?")).toBe("officeholder");
    expect(expectedAnswerType("Who is the European Commission president?")).toBe("officeholder");
    expect(expectedAnswerType("Who is Imanbek Zeikenov?")).toBe("any");
    expect(expectedAnswerType("Who is the largest investor in Kazakhstan's economy?")).toBe("any");
    expect(expectedAnswerType("What is the Middle Corridor?")).toBe("any");
  });

  it("answers 'how long' with a span of time, not with any number", () => {
    expect(satisfiesAnswerType("duration", "It took centuries for some countries to become democratic.")).toBe(true);
    expect(satisfiesAnswerType("duration", "Reforms take a considerable amount of time.")).toBe(true);
    expect(
      satisfiesAnswerType(
        "duration",
        "It introduces amendments to 31 articles; it changes a third of the Constitution.",
      ),
    ).toBe(false);
  });

  it("answers who holds an office only with a name given beside an office, not with any capitalised pair", () => {
    expect(satisfiesAnswerType("officeholder", "Our Head of State Mr. Kassym-Jomart Tokayev proposed reforms.")).toBe(
      true,
    );
    expect(
      satisfiesAnswerType("officeholder", "Relations with the Central Asian countries are a foreign policy priority."),
    ).toBe(false);
  });

  it("takes a month only when it is capitalised, since 'may' is mostly a verb", () => {
    expect(satisfiesAnswerType("month", "Since March 2022, cargoes were redirected.")).toBe(true);
    expect(satisfiesAnswerType("month", "This may take a long time.")).toBe(false);
  });

  it("wants two countries for a question about countries and one for a question about a country", () => {
    const one = "The EU is the largest investor in Kazakhstan.";
    const several = "The main share of FDI is in the Netherlands, Belgium, France and Germany.";
    expect(satisfiesAnswerType("countries", one)).toBe(false);
    expect(satisfiesAnswerType("countries", several)).toBe(true);
    expect(satisfiesAnswerType("country", one)).toBe(true);
    expect(satisfiesAnswerType("countries", "His concerts in the US, Great Britain and Czech Republic sold out.")).toBe(
      true,
    );
  });

  it("finds shares written as percentages or fractions, and names of people", () => {
    expect(satisfiesAnswerType("share", "30% will be directly elected.")).toBe(true);
    expect(satisfiesAnswerType("share", "It changes a third of the Constitution.")).toBe(true);
    expect(satisfiesAnswerType("share", "It changes 31 articles.")).toBe(false);
    expect(satisfiesAnswerType("people", "Artists collaborating with him include Rita Ora, Acon, David Guetta.")).toBe(
      true,
    );
    expect(satisfiesAnswerType("people", "many talented singers represent the country abroad.")).toBe(false);
  });

  it("counts only the narrow types as specific enough to lower the evidence bar", () => {
    expect(isSpecific("month")).toBe(true);
    expect(isSpecific("countries")).toBe(true);
    expect(isSpecific("quantity")).toBe(false);
    expect(isSpecific("time")).toBe(false);
    expect(isSpecific("duration")).toBe(false);
    expect(isSpecific("officeholder")).toBe(false);
    expect(isSpecific("any")).toBe(false);
  });

  it("reads off what a question asks the name of", () => {
    expect(thingNamed("What is the name of the track that won Imanbek his Grammy?")).toBe("track");
    expect(thingNamed("What is the name of the concept of governance that Tokayev proposed?")).toBe("concept");
    expect(thingNamed("What is the name of the framework treaty under which Kazakhstan cooperates with the EU?")).toBe(
      "framework treaty",
    );
    expect(thingNamed("What is the name of his latest album?")).toBe("latest album");
    expect(thingNamed("What is the Middle Corridor?")).toBeNull();
  });

  it("tells a share of something else than asked from the share asked for", () => {
    const third = "Overall, it introduces amendments to 31 articles; in fact it changes a third of the Constitution.";
    expect(shareOfSomethingElse("What percentage of voters approved the constitutional amendments?", third)).toBe(true);
    expect(shareOfSomethingElse("What portion of the Constitution changes?", third)).toBe(false);
    // A share that does not say what it is of may be the one asked for.
    expect(
      shareOfSomethingElse(
        "What share of lower-house members will win their seats by direct vote?",
        "30% will be directly elected.",
      ),
    ).toBe(false);
    expect(
      shareOfSomethingElse(
        "What share of deputies will be elected proportionally?",
        "70% of Mazhilis deputies will be chosen by proportional elections.",
      ),
    ).toBe(false);
    expect(shareOfSomethingElse("How many articles change?", third)).toBe(false);
    const two = "30% of senators and 70% of Mazhilis deputies will be elected.";
    expect(shareOfSomethingElse("What share of deputies will be elected proportionally?", two)).toBe(false);
    expect(shareOfSomethingElse("What share of voters approved?", two)).toBe(true);
  });
});

describe("the answer-type registry", () => {
  it("reads any one or two words between 'which' and the noun, with no corpus adjective listed", () => {
    expect(expectedAnswerType("Which Kazakh musicians became famous abroad?")).toBe("people");
    expect(expectedAnswerType("Which Latvian ports receive cargo?")).toBe("any");
    expect(expectedAnswerType("Which Baltic member states are mentioned?")).toBe("countries");
  });

  it("wants a title for 'which song / album', and a sentence that talks about one or quotes one", () => {
    expect(expectedAnswerType("Which song did Imanbek win his Grammy for?")).toBe("work");
    expect(expectedAnswerType("What is the name of his latest album?")).toBe("work");
    expect(satisfiesAnswerType("work", "He won the Grammy Awards in the best remixed recording category.")).toBe(false);
    expect(satisfiesAnswerType("work", "His remix of the song “Roses” went viral.")).toBe(true);
    expect(satisfiesAnswerType("work", "He released “Roses” in 2019.")).toBe(true);
  });

  it("answers who holds an office with the office asked about, not any office", () => {
    const president = "Our President Mr. Kassym-Jomart Tokayev proposed reforms.";
    expect(satisfiesAnswerType("officeholder", president, "Who is Kazakhstan's foreign minister?")).toBe(false);
    expect(satisfiesAnswerType("officeholder", president, "Who was Kazakhstan's first president?")).toBe(true);
    expect(
      satisfiesAnswerType("officeholder", "The Prime Minister Alikhan Smailov met him.", "Who is the prime minister?"),
    ).toBe(true);
  });

  it("does not take a share of something else than asked for the share asked for", () => {
    const third = "Overall, it introduces amendments to 31 articles; in fact it changes a third of the Constitution.";
    expect(
      satisfiesAnswerType("share", third, "What percentage of voters approved the constitutional amendments?"),
    ).toBe(false);
    expect(satisfiesAnswerType("share", third, "What portion of the Constitution changes?")).toBe(true);
    expect(satisfiesAnswerType("share", third)).toBe(true);
  });

  it("wants the attribute asked for ('the capital of X', 'X's currency') named in the sentence", () => {
    expect(expectedAnswerType("What is the capital of France?")).toBe("attribute");
    expect(expectedAnswerType("What is Kazakhstan's national currency?")).toBe("attribute");
    expect(expectedAnswerType("What is the Middle Corridor?")).toBe("any");
    expect(attributeNoun("What was the main outcome of that meeting?")).toBe("outcom");
    const outcome =
      "One of the main outcomes of the last Consultative Meeting was the agreement to establish a dialogue.";
    expect(satisfiesAnswerType("attribute", outcome, "What was the main outcome of that meeting?")).toBe(true);
    expect(
      satisfiesAnswerType(
        "attribute",
        "FDI comes from the Netherlands, Belgium and France.",
        "What is the capital of France?",
      ),
    ).toBe(false);
  });

  it("marks only quantities as lures: a figure on the topic is there whether or not it is the one asked for", () => {
    expect(isLure("quantity")).toBe(true);
    expect(isLure("duration")).toBe(false);
    expect(isLure("any")).toBe(false);
  });

  it("says which types ask for several things", () => {
    expect(isList("countries")).toBe(true);
    expect(isList("people")).toBe(true);
    expect(isList("person")).toBe(false);
    expect(isList("any")).toBe(false);
  });
});

describe("answer types that hold on other interviews", () => {
  it("wants an amount of money for a cost, which a year or a count of jobs is not", () => {
    expect(expectedAnswerType("How much will it cost to install shore power?")).toBe("money");
    expect(expectedAnswerType("What was the Tagus Valley festival's budget in 2019?")).toBe("money");
    expect(satisfiesAnswerType("money", "By 2027 every cruise berth will have shore power.")).toBe(false);
    expect(satisfiesAnswerType("money", "The budget is 1.3 billion euros.")).toBe(true);
    expect(satisfiesAnswerType("money", "Grants of up to $50,000 are available.")).toBe(true);
  });

  it("wants a day of a month for a date, which 'next year' is not", () => {
    expect(expectedAnswerType("On what date will the next election be held?")).toBe("date");
    expect(satisfiesAnswerType("date", "The election will be held when it is due, and that's next year.")).toBe(false);
    expect(satisfiesAnswerType("date", "The consulate in Bergen opens on 2 June.")).toBe(true);
    expect(satisfiesAnswerType("date", "Allocations come on the 15th of March.")).toBe(true);
  });

  it("counts what 'how many' asks about when the sentence names it, near a number", () => {
    const question = "How many farm households will receive a grant?";
    expect(
      satisfiesAnswerType("quantity", "Eligible households can receive grants of up to 50,000 dollars.", question),
    ).toBe(false);
    expect(satisfiesAnswerType("quantity", "About 12,000 households have applied.", question)).toBe(true);
    // Named in other words ("lawmakers" for "deputies"): left to the evidence cuts.
    expect(
      satisfiesAnswerType("quantity", "The number of deputies will be reduced from 107 to 98.", "How many lawmakers?"),
    ).toBe(true);
    expect(
      satisfiesAnswerType(
        "quantity",
        "President Tokayev introduced 4 large scale political and economic reforms since 2019.",
        "How many reforms has Tokayev introduced?",
      ),
    ).toBe(true);
  });

  it("wants the kind a which-question names, or a name", () => {
    const question = "Which manufacturer is building the new locomotives?";
    expect(expectedAnswerType(question)).toBe("kind");
    expect(satisfiesAnswerType("kind", "We have ordered 60 new electric locomotives.", question)).toBe(false);
    expect(satisfiesAnswerType("kind", "They are built by Stadler in Switzerland.", question)).toBe(true);
    expect(expectedAnswerType("What exactly is 'popera'?")).toBe("any");
  });
});

describe("a count of what a 'How many' question asks about", () => {
  const question = "How many schools will get new roofs?";

  it("is a number of that thing, near it", () => {
    expect(countsThing(question, "Next year 300 schools will get new roofs.")).toBe(true);
    expect(countsThing(question, "The schools, around forty of them, get new roofs first.")).toBe(true);
    expect(countsThing(question, "The number of schools on the list is still growing.")).toBe(true);
  });

  it("is never an amount of money or a share that stands near it", () => {
    expect(countsThing(question, "The fund gives 300 million euros to schools for new roofs.")).toBe(false);
    expect(countsThing(question, "The fund gives $300 million to schools for new roofs.")).toBe(false);
    expect(countsThing(question, "About 40 percent of schools need new roofs.")).toBe(false);
    expect(countsThing(question, "About 40% of schools need new roofs.")).toBe(false);
  });

  it("leaves a sentence that names the thing in other words to the evidence cuts", () => {
    expect(countsThing(question, "Three hundred colleges will be reroofed.")).toBe(true);
  });
});
