import { describe, expect, it } from "vitest";
import { prettyJson, prettyValue, summarizeJson } from "./json";

describe("prettyJson", () => {
  it("keeps big integers exact", () => {
    expect(prettyJson('{"id":12345678901234567890,"n":[1,2.50]}')).toBe(
      '{\n  "id": 12345678901234567890,\n  "n": [\n    1,\n    2.50\n  ]\n}',
    );
    // What JSON.parse would have shown instead:
    expect(JSON.stringify(JSON.parse("12345678901234567890"))).toBe("12345678901234567000");
  });

  it("accepts any JSON value, including scalars", () => {
    expect(prettyJson(' "text" ')).toBe('"text"');
    expect(prettyJson("12345678901234567890")).toBe("12345678901234567890");
  });

  it("returns null for text that is not JSON", () => {
    expect(prettyJson("hello world")).toBeNull();
    expect(prettyJson('{"cut": "off')).toBeNull();
    expect(prettyJson("")).toBeNull();
  });
});

describe("prettyValue", () => {
  it("indents parsed values", () => {
    expect(prettyValue({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
  });
});

describe("summarizeJson", () => {
  it("is empty for missing metadata", () => {
    expect(summarizeJson(null)).toBe("");
  });

  it("prints compact JSON and cuts long text", () => {
    expect(summarizeJson({ owner: "ops", v: 2 })).toBe('{"owner":"ops","v":2}');
    expect(summarizeJson({ text: "x".repeat(100) }, 20)).toBe('{"text":"xxxxxxxxxx…');
  });
});
