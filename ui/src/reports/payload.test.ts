import { isLosslessNumber } from "lossless-json";
import { describe, expect, it } from "vitest";
import {
  asNumber,
  columnsOf,
  displayDate,
  displayValue,
  field,
  humanizeName,
  parseReportJson,
  resolvePointer,
  sortRows,
  tableRows,
} from "./payload";

describe("parseReportJson", () => {
  it("keeps big integers exact and small numbers as numbers", () => {
    const parsed = parseReportJson('{"id": 12345678901234567890, "n": 3, "rate": 50.0}');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const id = field(parsed.value, "id");
    expect(isLosslessNumber(id)).toBe(true);
    expect(displayValue(id)).toBe("12345678901234567890");
    expect(field(parsed.value, "n")).toBe(3);
    expect(asNumber(field(parsed.value, "rate"))).toBe(50);
  });
  it("reports invalid JSON instead of throwing", () => {
    const parsed = parseReportJson("{nope");
    expect(parsed.ok).toBe(false);
  });
});

describe("JSON pointers and tables", () => {
  const payload = {
    processing: {
      stuckCases: [{ caseNumber: "CASE-5", hoursStuck: 5 }, "not a row"],
      errorsByCode: { E_A: { count: 2, stage: "transcription" }, E_B: { count: 1 } },
    },
    "a/b": { "c~d": 1 },
  };
  it("resolve with RFC 6901 escapes", () => {
    expect(resolvePointer(payload, "/a~1b/c~0d")).toBe(1);
    expect(resolvePointer(payload, "/processing/stuckCases/0/caseNumber")).toBe("CASE-5");
    expect(resolvePointer(payload, "/processing/stuckCases/x")).toBeUndefined();
    expect(resolvePointer(payload, "")).toBe(payload);
    expect(resolvePointer(payload, "nope")).toBeUndefined();
  });
  it("read arrays of objects and objects of objects like the exporter", () => {
    expect(tableRows(payload, "/processing/stuckCases")).toEqual([
      { caseNumber: "CASE-5", hoursStuck: 5 },
    ]);
    const errors = tableRows(payload, "/processing/errorsByCode");
    expect(errors).toEqual([
      { key: "E_A", count: 2, stage: "transcription" },
      { key: "E_B", count: 1 },
    ]);
    expect(columnsOf(errors)).toEqual(["key", "count", "stage"]);
    expect(tableRows(payload, "/missing")).toEqual([]);
  });
});

describe("cells", () => {
  it("show nothing as a dash and group digits", () => {
    expect(displayValue(null)).toBe("—");
    expect(displayValue(undefined)).toBe("—");
    expect(displayValue(12000)).toBe("12,000");
    expect(displayValue(66.66666)).toBe("66.67");
    expect(displayValue(true)).toBe("yes");
    expect(displayValue(["CASE-4", "CASE-9"])).toBe("CASE-4, CASE-9");
    expect(displayValue([{ a: 1 }])).toBe("1 items");
  });
  it("show timestamps in UTC and dates as dates", () => {
    expect(displayDate("2026-11-19T08:30:00+00:00")).toBe("2026-11-19 08:30 UTC");
    expect(displayDate("2026-11-19T10:30:00+02:00")).toBe("2026-11-19 08:30 UTC");
    expect(displayDate("2026-11-19")).toBe("2026-11-19");
    expect(displayDate(null)).toBe("—");
    expect(displayDate("weekly")).toBe("weekly");
  });
  it("humanize field names", () => {
    expect(humanizeName("weeklyPerformance")).toBe("Weekly performance");
    expect(humanizeName("avgMeddic")).toBe("Avg MEDDIC");
    expect(humanizeName("overdueByUser")).toBe("Overdue by user");
  });
});

describe("sortRows", () => {
  const rows = [
    { name: "Ben", uploads: 3 },
    { name: "ann", uploads: 10 },
    { name: "Cal", uploads: null },
    { name: "Dee", uploads: 3 },
  ];
  it("sorts numbers as numbers, keeps ties stable and empties last", () => {
    expect(sortRows(rows, "uploads", "asc").map((r) => r.name)).toEqual([
      "Ben",
      "Dee",
      "ann",
      "Cal",
    ]);
    expect(sortRows(rows, "uploads", "desc").map((r) => r.name)).toEqual([
      "ann",
      "Ben",
      "Dee",
      "Cal",
    ]);
  });
  it("sorts text naturally", () => {
    expect(sortRows(rows, "name", "asc").map((r) => r.name)).toEqual(["ann", "Ben", "Cal", "Dee"]);
    const cases = [{ c: "CASE-10" }, { c: "CASE-9" }];
    expect(sortRows(cases, "c", "asc").map((r) => r.c)).toEqual(["CASE-9", "CASE-10"]);
  });
});
