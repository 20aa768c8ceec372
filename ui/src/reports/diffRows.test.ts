import { describe, expect, it } from "vitest";
import { diffHeadline, diffRows, numericDelta, pointerToPath, shortJson } from "./diffRows";

describe("diff rows", () => {
  it("turn pointers into readable paths", () => {
    expect(pointerToPath("/processing/last24h/completed")).toBe("processing › last24h › completed");
    expect(pointerToPath("/thisWeek/won/0")).toBe("thisWeek › won › [0]");
    expect(pointerToPath("/a~1b/c~0d")).toBe("a/b › c~d");
    expect(pointerToPath("")).toBe("(whole value)");
  });
  it("show both values, the kind and the numeric change", () => {
    const rows = diffRows({
      changes: [
        { path: "/mtd/winRate", kind: "changed", cached: "66.7", live: "75.0" },
        { path: "/thisWeek/won/1", kind: "added", cached: null, live: '{"customerNumber":"C-9"}' },
        { path: "/old", kind: "removed", cached: "12345678901234567890", live: null },
      ],
    });
    expect(rows.map((r) => [r.path, r.cached, r.live, r.kindLabel, r.delta])).toEqual([
      ["mtd › winRate", "66.7", "75.0", "Changed", "+8.3"],
      ["thisWeek › won › [1]", "—", '{"customerNumber":"C-9"}', "Only in live SQL", null],
      ["old", "12345678901234567890", "—", "Only in KV", null],
    ]);
  });
  it("compute deltas only between plain numbers", () => {
    expect(numericDelta("10", "7")).toBe("−3");
    expect(numericDelta("1", "1")).toBe("0");
    expect(numericDelta('"10"', "7")).toBeNull();
    expect(numericDelta(null, "7")).toBeNull();
  });
  it("shorten long values", () => {
    expect(shortJson("x".repeat(200), 10)).toBe(`${"x".repeat(9)}…`);
    expect(shortJson(null)).toBe("—");
  });
});

describe("diff headline", () => {
  it("says identical, how many fields differ, or that KV has nothing", () => {
    expect(diffHeadline({ identical: true, changes: [], cachedGeneratedAt: "x" })).toBe(
      "Identical to live SQL",
    );
    const change = { path: "/a", kind: "changed" as const, cached: "1", live: "2" };
    expect(diffHeadline({ identical: false, changes: [change], cachedGeneratedAt: "x" })).toBe(
      "1 field differs from live SQL",
    );
    expect(
      diffHeadline({ identical: false, changes: [change, change], cachedGeneratedAt: "x" }),
    ).toBe("2 fields differ from live SQL");
    expect(diffHeadline({ identical: false, changes: [change], cachedGeneratedAt: null })).toMatch(
      /^KV has no value for this key/,
    );
  });
});
