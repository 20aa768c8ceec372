import { describe, expect, it } from "vitest";
import { prettyJson, prettyMetadata, summarizeJson } from "./json";

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

describe("prettyMetadata", () => {
  it("indents metadata text and keeps big integers exact", () => {
    expect(prettyMetadata('{"a":[1]}')).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(prettyMetadata('{"id":12345678901234567890}')).toBe(
      '{\n  "id": 12345678901234567890\n}',
    );
  });

  it("shows text that is not JSON as it is", () => {
    expect(prettyMetadata("{cut")).toBe("{cut");
  });
});

describe("summarizeJson", () => {
  it("is empty for missing metadata", () => {
    expect(summarizeJson(null)).toBe("");
  });

  it("prints compact JSON and cuts long text", () => {
    expect(summarizeJson('{ "owner": "ops", "v": 2 }')).toBe('{"owner":"ops","v":2}');
    expect(summarizeJson(JSON.stringify({ text: "x".repeat(100) }), 20)).toBe(
      '{"text":"xxxxxxxxxx…',
    );
  });

  it("keeps big integers exact", () => {
    expect(summarizeJson('{"id":12345678901234567890,"n":-9223372036854775808}')).toBe(
      '{"id":12345678901234567890,"n":-9223372036854775808}',
    );
  });
});
