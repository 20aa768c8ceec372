import { describe, expect, it } from "vitest";
import type { CacheStats, Figures } from "../ipc/bindings";
import {
  daysOverLimit,
  hitRateOption,
  kvOperationsOption,
  latencyOption,
  operationShares,
  readsOption,
  topMissedFamilies,
} from "./statsCharts";

function figures(hits: number, misses: number, stale = 0, errors = 0): Figures {
  const reads = hits + misses + stale + errors;
  return {
    hits,
    misses,
    stale,
    errors,
    sets: 0,
    deletes: 0,
    lists: 0,
    reads,
    hitRate: reads > 0 ? hits / reads : null,
    dbQueriesSaved: hits + stale,
    latencyMeanMs: reads > 0 ? 20 : null,
    latencyP50Ms: reads > 0 ? 10 : null,
    latencyP95Ms: reads > 0 ? 50 : null,
    latencyP99Ms: reads > 0 ? 100 : null,
  };
}

const STATS: CacheStats = {
  since: "2026-11-20T12:00:00Z",
  until: "2026-11-20T15:00:00Z",
  granularity: "hour",
  family: null,
  buckets: ["2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z", "2026-11-20T14:00:00Z"],
  series: [figures(9, 1), figures(0, 0), figures(3, 1, 0, 0)],
  totals: figures(12, 2),
  families: [
    { family: "report:system-health", totals: figures(10, 0), hitRate: [1, null, 1] },
    { family: "user:{id}:analytics:dashboard", totals: figures(2, 2), hitRate: [0, null, 2 / 3] },
    // Beyond the families the core draws: no line.
    { family: "user:{id}:conversations:list", totals: figures(0, 1), hitRate: [] },
  ],
  mostMissedFamilies: ["user:{id}:analytics:dashboard", "user:{id}:conversations:list"],
  kvOperations: [{ day: "2026-11-20", reads: 50_000, writes: 10, deletes: 0, lists: 1_500 }],
  limits: { reads: 100_000, writes: 1_000, deletes: 1_000, lists: 1_000 },
  targets: {
    hitRate: 0.9,
    meanLatencyMs: 200,
    p95LatencyMs: 500,
    dailyReads: 50_000,
    dailyWrites: 500,
    dbQueriesSaved: 0.8,
  },
  topMissedKeys: [],
  rawEventsSince: null,
  lastRollupAt: null,
};

describe("stats chart options", () => {
  it("the hit-rate chart draws the overall line in percent, gaps without reads, the target, and the families given a line", () => {
    const option = hitRateOption(STATS);
    expect(option.xAxis).toMatchObject({ data: ["11-20 12:00", "11-20 13:00", "11-20 14:00"] });
    const series = option.series as { name: string; data: (number | null)[]; markLine?: unknown }[];
    expect(series[0]).toMatchObject({ name: "All families", data: [90, null, 75] });
    expect(series[0]?.markLine).toMatchObject({ data: [{ yAxis: 90 }] });
    expect(series.slice(1).map((s) => s.name)).toEqual([
      "report:system-health",
      "user:{id}:analytics:dashboard",
    ]);
    expect(series[2]?.data).toEqual([0, null, 66.7]);
  });
  it("with one family chosen, only its line is drawn, named after it", () => {
    const option = hitRateOption({ ...STATS, family: "report:system-health" });
    expect(option.series).toMatchObject([{ name: "report:system-health" }]);
    expect((option.series as unknown[]).length).toBe(1);
  });
  it("reads are stacked by outcome, per bucket", () => {
    const series = readsOption(STATS).series as { name: string; stack: string; data: number[] }[];
    expect(series.map((s) => [s.name, s.data])).toEqual([
      ["hits", [9, 0, 3]],
      ["stale", [0, 0, 0]],
      ["misses", [1, 0, 1]],
      ["errors", [0, 0, 0]],
    ]);
    expect(new Set(series.map((s) => s.stack))).toEqual(new Set(["reads"]));
  });
  it("latency draws p50/p95/p99 with the p95 target", () => {
    const series = latencyOption(STATS).series as { name: string; data: (number | null)[] }[];
    expect(series.map((s) => s.name)).toEqual(["p50", "p95", "p99"]);
    expect(series[1]).toMatchObject({ data: [50, null, 50], markLine: { data: [{ yAxis: 500 }] } });
  });
  it("KV operations are shares of the daily limits, over 100 % when a limit is passed", () => {
    const day = STATS.kvOperations[0];
    if (!day) throw new Error("fixture");
    expect(operationShares(day, STATS.limits)).toEqual([
      { name: "Reads", count: 50_000, limit: 100_000, percent: 50 },
      { name: "Writes", count: 10, limit: 1_000, percent: 1 },
      { name: "Deletes", count: 0, limit: 1_000, percent: 0 },
      { name: "Lists", count: 1_500, limit: 1_000, percent: 150 },
    ]);
    const option = kvOperationsOption(STATS);
    const series = option.series as { data: number[] }[];
    expect(series.map((s) => s.data)).toEqual([[50], [1], [0], [150]]);
    const tooltip = option.tooltip as { formatter: (p: unknown) => string };
    expect(daysOverLimit(STATS)).toEqual(["2026-11-20 (lists 150 %)"]);
    expect(tooltip.formatter([{ dataIndex: 0 }])).toBe(
      "2026-11-20<br/>Reads: 50,000 of 100,000 (50 %)<br/>Writes: 10 of 1,000 (1 %)<br/>Deletes: 0 of 1,000 (0 %)<br/>Lists: 1,500 of 1,000 (150 %)",
    );
  });
  it("the most missed families keep the core's order and give each family's figures", () => {
    expect(topMissedFamilies(STATS, 10).map((f) => [f.family, f.totals.misses])).toEqual([
      ["user:{id}:analytics:dashboard", 2],
      ["user:{id}:conversations:list", 1],
    ]);
    expect(topMissedFamilies(STATS, 1).map((f) => f.family)).toEqual([
      "user:{id}:analytics:dashboard",
    ]);
  });
});
