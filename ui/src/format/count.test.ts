// Tests of count formatting and pluralisation.
import { describe, expect, it } from "vitest";
import { countNoun, formatCount } from "./count";

describe("formatCount", () => {
  it("groups digits", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(1234567)).toBe("1,234,567");
  });
});

describe("countNoun", () => {
  it("pluralises everything but one", () => {
    expect(countNoun(1, "key")).toBe("1 key");
    expect(countNoun(0, "key")).toBe("0 keys");
    expect(countNoun(12000, "key")).toBe("12,000 keys");
    expect(countNoun(2, "entry", "entries")).toBe("2 entries");
  });
});
