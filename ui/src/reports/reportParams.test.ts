import { describe, expect, it } from "vitest";
import type { ReportSummary } from "../ipc/bindings";
import {
  defaultParams,
  matchKeyTemplate,
  paramValues,
  parseParamInput,
  renderKeyTemplate,
  sameParams,
  templateParts,
} from "./reportParams";

describe("key templates", () => {
  it("split into literals and placeholders", () => {
    expect(templateParts("user:{userId}:analytics:dashboard")).toEqual([
      { literal: "user:" },
      { param: "userId" },
      { literal: ":analytics:dashboard" },
    ]);
  });
  it("render only with every placeholder filled", () => {
    expect(renderKeyTemplate("report:team:{dept}", { dept: "sales" })).toBe("report:team:sales");
    expect(renderKeyTemplate("report:team:{dept}", {})).toBeNull();
    expect(renderKeyTemplate("report:team:{dept}", { dept: "" })).toBeNull();
    expect(renderKeyTemplate("report:system-health", {})).toBe("report:system-health");
  });
  it("match keys back to params", () => {
    expect(matchKeyTemplate("report:team:{dept}", "report:team:enterprise")).toEqual({
      dept: "enterprise",
    });
    expect(
      matchKeyTemplate("user:{userId}:analytics:dashboard", "user:a-1:analytics:dashboard"),
    ).toEqual({ userId: "a-1" });
    expect(matchKeyTemplate("report:team:{dept}", "report:rep:1")).toBeNull();
    // Regex characters in literals are literal.
    expect(matchKeyTemplate("a.b:{x}", "axb:1")).toBeNull();
  });
});

describe("parseParamInput", () => {
  const template = "report:team:{dept}";
  it("takes a bare value for one placeholder", () => {
    expect(parseParamInput(template, ["dept"], "  sales ")).toEqual({ params: { dept: "sales" } });
  });
  it("takes a whole key", () => {
    expect(parseParamInput(template, ["dept"], "report:team:north")).toEqual({
      params: { dept: "north" },
    });
  });
  it("takes name=value pairs and names what is wrong", () => {
    expect(parseParamInput("r:{a}:{b}", ["a", "b"], "a=1, b=2")).toEqual({
      params: { a: "1", b: "2" },
    });
    expect(parseParamInput("r:{a}:{b}", ["a", "b"], "a=1")).toEqual({ error: "Missing {b}" });
    expect(parseParamInput(template, ["dept"], "team=x")).toEqual({
      error: "This report has no {team}; its key is report:team:{dept}",
    });
    expect(parseParamInput(template, ["dept"], "dept=")).toEqual({
      error: "“dept=” is not name=value",
    });
    expect(parseParamInput(template, ["dept"], "")).toEqual({ error: "Type a value" });
    expect(parseParamInput("r:{a}:{b}", ["a", "b"], "x")).toEqual({
      error: "Type a=… b=… or a whole key",
    });
  });
});

describe("the key picker's values", () => {
  const summary = {
    params: ["dept"],
    keys: [
      { params: { dept: "sales" } },
      { params: { dept: "default" } },
      { params: { dept: "sales" } },
    ],
  } as unknown as ReportSummary;
  it("are distinct and sorted", () => {
    expect(paramValues(summary, "dept")).toEqual(["default", "sales"]);
  });
  it("default to the first listed key, or none for a single-key report", () => {
    expect(defaultParams(summary)).toEqual({ dept: "sales" });
    expect(defaultParams({ params: ["dept"], keys: [] })).toBeNull();
    expect(defaultParams({ params: [], keys: [] })).toEqual({});
  });
  it("compare by content", () => {
    expect(sameParams({ a: "1", b: "2" }, { b: "2", a: "1" })).toBe(true);
    expect(sameParams({ a: "1" }, { a: "2" })).toBe(false);
    expect(sameParams({ a: "1" }, { a: "1", b: "2" })).toBe(false);
  });
});
