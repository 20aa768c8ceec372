// ECharts options of the Stats screen, built from the core's CacheStats (pure, so they are
// unit-tested without a canvas): hit rate over time with the target line, reads by outcome,
// latency percentiles, KV operations per day against the plan's limits, most missed families.
import type { ChartOption } from "../charts/echarts";
import { formatCount } from "../format/count";
import type { CacheStats, DayOperations, PlanLimits } from "../ipc/bindings";
import { bucketLabel } from "./statsFormat";

const GRID = { left: 8, right: 24, top: 36, bottom: 8, containLabel: true } as const;

const OUTCOME_COLORS = {
  hits: "#2f9e44",
  stale: "#f08c00",
  misses: "#e03131",
  errors: "#862e9c",
} as const;

function percentOrNull(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 1000) / 10;
}

function targetLine(value: number, label: string) {
  return {
    silent: true,
    symbol: "none",
    lineStyle: { type: "dashed" as const, color: "#868e96" },
    label: { formatter: label, position: "insideEndTop" as const },
    data: [{ yAxis: value }],
  };
}

/** Hit rate (%) per bucket: overall, and the busiest families unless one family is chosen. */
export function hitRateOption(stats: CacheStats): ChartOption {
  const labels = stats.buckets.map((b) => bucketLabel(b, stats.granularity));
  // The core gives a line to the most read families only.
  const families = stats.family === null ? stats.families.filter((f) => f.hitRate.length > 0) : [];
  const target = stats.targets.hitRate * 100;
  return {
    aria: { enabled: true },
    grid: GRID,
    legend: { top: 0, type: "scroll" },
    tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : `${v} %`) },
    xAxis: { type: "category", data: labels, boundaryGap: false },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
    series: [
      {
        type: "line",
        name: stats.family ?? "All families",
        data: stats.series.map((f) => percentOrNull(f.hitRate)),
        symbolSize: 4,
        lineStyle: { width: 3 },
        connectNulls: false,
        markLine: targetLine(target, `target ${target} %`),
      },
      ...families.map((f) => ({
        type: "line" as const,
        name: f.family,
        data: f.hitRate.map(percentOrNull),
        symbolSize: 2,
        lineStyle: { width: 1.5 },
        connectNulls: false,
      })),
    ],
  };
}

/** Reads per bucket, stacked by outcome (hits, stale, misses, errors). */
export function readsOption(stats: CacheStats): ChartOption {
  const labels = stats.buckets.map((b) => bucketLabel(b, stats.granularity));
  const series = (["hits", "stale", "misses", "errors"] as const).map((outcome) => ({
    type: "bar" as const,
    name: outcome,
    stack: "reads",
    data: stats.series.map((f) => f[outcome]),
    itemStyle: { color: OUTCOME_COLORS[outcome] },
    barMaxWidth: 24,
  }));
  return {
    aria: { enabled: true },
    grid: GRID,
    legend: { top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value", minInterval: 1 },
    series,
  };
}

/** Latency percentiles (p50, p95, p99) per bucket, with the P95 target of docs/domain.md. */
export function latencyOption(stats: CacheStats): ChartOption {
  const labels = stats.buckets.map((b) => bucketLabel(b, stats.granularity));
  const line = (name: string, data: (number | null)[], width: number) => ({
    type: "line" as const,
    name,
    data,
    symbolSize: 3,
    lineStyle: { width },
    connectNulls: false,
  });
  return {
    aria: { enabled: true },
    grid: GRID,
    legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : `${v} ms`) },
    xAxis: { type: "category", data: labels, boundaryGap: false },
    yAxis: { type: "value", axisLabel: { formatter: "{value} ms" } },
    series: [
      line(
        "p50",
        stats.series.map((f) => f.latencyP50Ms),
        1.5,
      ),
      {
        ...line(
          "p95",
          stats.series.map((f) => f.latencyP95Ms),
          2.5,
        ),
        markLine: targetLine(
          stats.targets.p95LatencyMs,
          `p95 target ${stats.targets.p95LatencyMs} ms`,
        ),
      },
      line(
        "p99",
        stats.series.map((f) => f.latencyP99Ms),
        1.5,
      ),
    ],
  };
}

const OPERATIONS = [
  { field: "reads", name: "Reads" },
  { field: "writes", name: "Writes" },
  { field: "deletes", name: "Deletes" },
  { field: "lists", name: "Lists" },
] as const satisfies readonly { field: keyof PlanLimits & keyof DayOperations; name: string }[];

/** One day's operations as shares of the plan's daily limits, for the chart and its tooltip. */
export function operationShares(day: DayOperations, limits: PlanLimits) {
  return OPERATIONS.map(({ field, name }) => ({
    name,
    count: day[field],
    limit: limits[field],
    percent: Math.round((day[field] / limits[field]) * 1000) / 10,
  }));
}

/** KV operations per UTC day as a share (%) of the plan's daily limit, with the 100 % line. */
export function kvOperationsOption(stats: CacheStats): ChartOption {
  const days = stats.kvOperations;
  const shares = days.map((d) => operationShares(d, stats.limits));
  return {
    aria: { enabled: true },
    grid: GRID,
    legend: { top: 0 },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (params) => {
        const first = Array.isArray(params) ? params[0] : params;
        const index = first?.dataIndex ?? 0;
        const day = days[index]?.day ?? "";
        const rows = (shares[index] ?? []).map(
          (s) => `${s.name}: ${formatCount(s.count)} of ${formatCount(s.limit)} (${s.percent} %)`,
        );
        return [day, ...rows].join("<br/>");
      },
    },
    xAxis: { type: "category", data: days.map((d) => d.day) },
    yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value} %" } },
    series: OPERATIONS.map(({ name }, i) => ({
      type: "bar" as const,
      name,
      data: shares.map((s) => s[i]?.percent ?? 0),
      barMaxWidth: 14,
      ...(i === 0 ? { markLine: targetLine(100, "daily limit") } : {}),
    })),
  };
}

/** The `n` families with the most misses, in the core's order (most first). */
export function topMissedFamilies(stats: CacheStats, n: number) {
  const byName = new Map(stats.families.map((f) => [f.family, f]));
  return stats.mostMissedFamilies.slice(0, n).flatMap((name) => byName.get(name) ?? []);
}

/** Days on which an operation passed its daily limit: "2026-11-20 (lists 150 %)". */
export function daysOverLimit(stats: CacheStats): string[] {
  return stats.kvOperations.flatMap((day) => {
    const over = operationShares(day, stats.limits).filter((s) => s.count > s.limit);
    return over.length === 0
      ? []
      : [`${day.day} (${over.map((s) => `${s.name.toLowerCase()} ${s.percent} %`).join(", ")})`];
  });
}
