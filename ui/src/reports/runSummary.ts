// Wording of precompute and sync runs: the dry run per report (how many keys would be written,
// and why), the progress line, the outcome, and the history's rows.
import { formatBytes } from "../format/bytes";
import { countNoun, formatCount } from "../format/count";
import type {
  PrecomputeRun,
  ProgressUpdate,
  ReportRun,
  RunStatus,
  SyncOutcome,
  WriteReason,
} from "../ipc/bindings";
import { formatIsoAbsolute } from "./reportFormat";

export type ReasonCounts = Record<WriteReason, number>;

export interface ReportPlan {
  name: string;
  counts: ReasonCounts;
  /** Keys written (dry run: that would be written). */
  toWrite: number;
  total: number;
  bytesToWrite: number;
  error: string | null;
}

export function reasonCounts(report: Pick<ReportRun, "keys">): ReasonCounts {
  const counts: ReasonCounts = { new: 0, changed: 0, expiring: 0, unchanged: 0 };
  for (const key of report.keys) counts[key.reason] += 1;
  return counts;
}

export function reportPlans(run: Pick<PrecomputeRun, "reports">): ReportPlan[] {
  return run.reports.map((report) => {
    const counts = reasonCounts(report);
    const bytesToWrite = report.keys
      .filter((k) => k.reason !== "unchanged")
      .reduce((sum, k) => sum + k.bytes, 0);
    return {
      name: report.name,
      counts,
      toWrite: counts.new + counts.changed + counts.expiring,
      total: report.keys.length,
      bytesToWrite,
      error: report.error,
    };
  });
}

/** "2 new, 1 changed, 30 unchanged" (zero counts left out; "no keys" when there are none). */
export function describeReasons(counts: ReasonCounts): string {
  const parts = (["new", "changed", "expiring", "unchanged"] as const)
    .filter((reason) => counts[reason] > 0)
    .map((reason) => `${formatCount(counts[reason])} ${reason}`);
  return parts.length > 0 ? parts.join(", ") : "no keys";
}

/** Keys a dry run would write, over all reports. */
export function keysToWrite(run: Pick<PrecomputeRun, "reports">): number {
  return reportPlans(run).reduce((sum, plan) => sum + plan.toWrite, 0);
}

/** The dry run's headline. */
export function describeDryRun(run: PrecomputeRun): string {
  const plans = reportPlans(run);
  const writes = plans.reduce((sum, p) => sum + p.toWrite, 0);
  const bytes = plans.reduce((sum, p) => sum + p.bytesToWrite, 0);
  const failed = plans.filter((p) => p.error !== null).length;
  const head =
    writes === 0
      ? "Nothing to write: every key is current"
      : `${countNoun(writes, "key")} would be written (${formatBytes(bytes)})`;
  return failed > 0 ? `${head}; ${countNoun(failed, "report")} failed` : head;
}

const STATUS_WORDS: Record<RunStatus, string> = {
  succeeded: "Done",
  partial: "Done with failures",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** The real run's outcome: "Done: wrote 12 keys, 30 unchanged"; failures named. */
export function describeRun(run: PrecomputeRun): string {
  const parts = [`wrote ${countNoun(run.written, "key")}`, `${formatCount(run.skipped)} unchanged`];
  if (run.failedReports > 0) parts.push(`${countNoun(run.failedReports, "report")} failed`);
  return `${STATUS_WORDS[run.status]}: ${parts.join(", ")}`;
}

export function statusColor(status: string): string {
  switch (status) {
    case "succeeded":
      return "teal";
    case "partial":
    case "cancelled":
      return "yellow";
    case "failed":
      return "red";
    default:
      return "gray";
  }
}

export interface ProgressView {
  label: string;
  /** 0-100, or null while the total is unknown. */
  percent: number | null;
}

/** Progress of precompute ("compute", "list", "write") and sync ("list", "sync"). */
export function describeReportProgress(update: ProgressUpdate | null): ProgressView {
  if (update === null) return { label: "Starting…", percent: null };
  const percent =
    update.total === null || update.total === 0
      ? null
      : Math.min(100, (update.done / update.total) * 100);
  const of = update.total === null ? "" : ` of ${formatCount(update.total)}`;
  switch (update.phase) {
    case "compute":
      return { label: `Computing reports from SQL… ${formatCount(update.done)}${of}`, percent };
    case "list":
      return { label: `Listing keys… ${formatCount(update.done)} found`, percent };
    case "write":
      return { label: `Writing to KV… ${formatCount(update.done)}${of} keys`, percent };
    case "sync":
      return {
        label: `Copying to the offline mirror… ${formatCount(update.done)}${of} keys`,
        percent,
      };
    default:
      return { label: `${update.phase}… ${formatCount(update.done)}${of}`, percent };
  }
}

/** "Synced 42 keys (1.2 MiB) at 2026-11-22 03:30:00 UTC; removed 2 gone from KV". */
export function describeSync(outcome: SyncOutcome): string {
  const removed =
    outcome.removed > 0
      ? `; removed ${countNoun(outcome.removed, "copy", "copies")} gone from KV`
      : "";
  return `Synced ${countNoun(outcome.keys, "key")} (${formatBytes(outcome.bytes)}) at ${formatIsoAbsolute(outcome.syncedAt)}${removed}`;
}

/** "1.2 s", "340 ms". */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}
