import { describe, expect, it } from "vitest";
import { anyOf, words } from "../src/text/alternatives.js";

const whole = (source: string) => new RegExp(`^${source}$`, "i");

describe("anyOf", () => {
  it("is a non-capturing group of the alternatives, in their order", () => {
    expect(anyOf(["hi", "hello", "hey"])).toBe("(?:hi|hello|hey)");
  });

  it("matches each alternative", () => {
    for (const greeting of ["hi", "hello", "hey"])
      expect(whole(anyOf(["hi", "hello", "hey"])).test(greeting)).toBe(true);
    expect(whole(anyOf(["hi", "hello", "hey"])).test("howdy")).toBe(false);
  });

  it("captures nothing: a group after it is still group 1", () => {
    expect(new RegExp(`${anyOf(["name", "title"])} of (\\w+)`).exec("name of Imanbek")?.[1]).toBe("Imanbek");
  });

  it("takes a space in a phrase for any run of whitespace", () => {
    const office = whole(anyOf(["prime minister"]));
    for (const text of ["prime minister", "prime  minister", "prime\tminister", "prime\nminister"])
      expect(office.test(text)).toBe(true);
    expect(office.test("primeminister")).toBe(false);
  });

  it("keeps a single space when told to", () => {
    const opening = whole(anyOf(["what about"], " "));
    expect(opening.test("what about")).toBe(true);
    expect(opening.test("what  about")).toBe(false);
  });

  it("reads an alternative as regex source, so an alternative can vary", () => {
    const works = whole(anyOf(["songs?", "ok(?:ay)?", "tl;?\\s?dr"]));
    for (const text of ["song", "songs", "ok", "okay", "tldr", "tl;dr", "tl; dr"]) expect(works.test(text)).toBe(true);
  });

  it("nests: a phrase may hold another list", () => {
    expect(anyOf([`good ${anyOf(["morning", "evening"])}`, "hi"])).toBe("(?:good\\s+(?:morning|evening)|hi)");
    expect(whole(anyOf([`good ${anyOf(["morning", "evening"])}`])).test("Good   evening")).toBe(true);
  });

  it("is one unit: what follows it applies to every alternative", () => {
    const greeting = whole(`${anyOf(["hi", "hello"])}\\s+there`);
    expect(greeting.test("hi there")).toBe(true);
    expect(greeting.test("hello there")).toBe(true);
    expect(greeting.test("hi")).toBe(false);
  });

  it("reads spaces as whitespace runs only inside its alternatives, not in the source around it", () => {
    expect(whole(`${anyOf(["hi"])} there`).test("hi  there")).toBe(false);
  });
});

describe("words", () => {
  it("is anyOf between word boundaries", () => {
    expect(words(["the", "a", "an"])).toBe("\\b(?:the|a|an)\\b");
  });

  it("matches each alternative as a whole word, anywhere in the text", () => {
    const months = new RegExp(words(["may", "june"]), "i");
    expect(months.test("Elections in June 2025")).toBe(true);
    expect(months.test("It may rain")).toBe(true);
    expect(months.test("mayor of Almaty")).toBe(false);
    expect(months.test("Juneau")).toBe(false);
  });

  it("matches a phrase as a whole, whatever whitespace separates its words", () => {
    const office = new RegExp(words(["head of state"]), "i");
    expect(office.test("the head of\nstate said")).toBe(true);
    expect(office.test("the head of statement")).toBe(false);
  });

  it("passes the meaning of a space on to anyOf", () => {
    expect(words(["the same"], " ")).toBe("\\b(?:the same)\\b");
  });
});
