// Time ranges of the Stats screen and the labels of its figures (pure, unit-tested).
import type { Figures, Granularity } from "../ipc/bindings";
import { formatPercent } from "../reports/reportFormat";

/** The ranges people pick, as ages the core understands. */
export const RANGES = [
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
  { value: "365d", label: "1 year" },
] as const;

export type Range = (typeof RANGES)[number]["value"];

/** "Auto" lets the core choose: per hour up to 7 days, per day beyond. */
export type GranularityChoice = Granularity | "auto";

/** A bucket's start as the axis shows it: "11-20 14:00" per hour, "2026-11-20" per day (UTC). */
export function bucketLabel(iso: string, granularity: Granularity): string {
  // The core sends "2026-11-20T14:00:00Z".
  const date = iso.slice(0, 10);
  return granularity === "hour" ? `${date.slice(5)} ${iso.slice(11, 16)}` : date;
}

/** A 0–1 share as "93.4 %", or "—" without data. */
export function formatRate(rate: number | null | undefined): string {
  return formatPercent(rate === null || rate === undefined ? null : rate * 100);
}

/** Milliseconds: "38 ms", "1.2 s", or "—". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Reads that needed no database query, as a share of all reads. */
export function savedShare(figures: Pick<Figures, "dbQueriesSaved" | "reads">): number | null {
  return figures.reads > 0 ? figures.dbQueriesSaved / figures.reads : null;
}

/** Whether a figure meets its target ("at least" or "at most"), null without the figure. */
export function meetsTarget(
  value: number | null | undefined,
  target: number,
  kind: "atLeast" | "atMost",
): boolean | null {
  if (value === null || value === undefined) return null;
  return kind === "atLeast" ? value >= target : value <= target;
}
