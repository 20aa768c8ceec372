// Wording of jobs and their runs for people: the state of a job, a run's status colour, trigger,
// duration and counts, the sample keys a cleanup's dry run found, and the schedule in words.
import { formatBytes } from "../format/bytes";
import { formatCount } from "../format/count";
import type { JobCounts, JobRunRecord, JobRunStatus, JobView } from "../ipc/bindings";

export type JobState = "running" | "paused" | "disabled" | "active" | "manual";

/**
 * Running (here or on another console) beats paused; a job with no schedule runs by hand only; a
 * destructive job's schedule is disabled until someone enables it on the database.
 */
export function jobState(
  job: Pick<JobView, "running" | "paused" | "schedule" | "destructive" | "enabled">,
): JobState {
  if (job.running) return "running";
  if (job.schedule === null) return "manual";
  if (job.paused) return "paused";
  return job.destructive && !job.enabled ? "disabled" : "active";
}

export function jobStateLabel(state: JobState): string {
  switch (state) {
    case "running":
      return "Running";
    case "paused":
      return "Paused";
    case "disabled":
      return "Not enabled";
    case "active":
      return "Active";
    case "manual":
      return "By hand";
  }
}

export function jobStateColor(state: JobState): string {
  switch (state) {
    case "running":
      return "blue";
    case "paused":
      return "yellow";
    case "disabled":
      return "gray";
    case "active":
      return "teal";
    case "manual":
      return "gray";
  }
}

export function runStatusColor(status: JobRunStatus): string {
  switch (status) {
    case "running":
      return "blue";
    case "succeeded":
      return "teal";
    case "failed":
      return "red";
    case "cancelled":
    case "abandoned":
      return "yellow";
    case "skipped":
      return "gray";
  }
}

/** "312 ms", "4.2 s", "3 min 5 s", "1 h 2 min"; "—" when unknown (still running). */
export function formatRunDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const rest = seconds % 60;
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Who or what started a run: "Schedule", "By hand", with "(dry run)" for dry runs. */
export function triggerLabel(run: Pick<JobRunRecord, "trigger" | "dryRun">): string {
  const base =
    run.trigger === "schedule" ? "Schedule" : run.trigger === "manual" ? "By hand" : run.trigger;
  return run.dryRun ? `${base} (dry run)` : base;
}

/** "rowsArchived" → "Rows archived"; "keyBytes" → "Key bytes". */
export function countLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface CountItem {
  name: string;
  label: string;
  value: string;
}

/**
 * A run's counts as labelled figures, in the core's order (the `job` tag is not a count); byte
 * counts in KiB/MiB.
 */
export function countItems(counts: JobCounts | null | undefined): CountItem[] {
  if (!counts) return [];
  return Object.entries(counts)
    .filter(
      (entry): entry is [string, number] =>
        entry[0] !== "job" && typeof entry[1] === "number" && Number.isFinite(entry[1]),
    )
    .map(([name, value]) => ({
      name,
      label: countLabel(name),
      value: /bytes$/i.test(name) ? formatBytes(value) : formatCount(value),
    }));
}

/** "3 rows archived, 1.2 KiB file bytes"-style one-line digest of the counts ("" when none). */
export function countsInline(counts: JobCounts | null | undefined): string {
  return countItems(counts)
    .map((item) => `${item.label}: ${item.value}`)
    .join(" · ");
}

/** The first keys a key cleanup chose (its `detail.sample`), when the run has them. */
export function sampleKeys(detail: unknown): string[] {
  if (typeof detail !== "object" || detail === null) return [];
  const sample = (detail as Record<string, unknown>).sample;
  if (!Array.isArray(sample)) return [];
  return sample.filter((key): key is string => typeof key === "string");
}

/** A sweep's share per family (from a run's detail), against the circuit breaker. */
export interface FamilyShareView {
  family: string;
  matched: number;
  toDelete: number;
  percent: number;
  overLimit: boolean;
}

/** The families of a sweep run's detail (empty for other jobs). */
export function familyShares(detail: unknown): FamilyShareView[] {
  if (typeof detail !== "object" || detail === null) return [];
  const families = (detail as Record<string, unknown>).families;
  if (!Array.isArray(families)) return [];
  return families.filter(
    (f): f is FamilyShareView =>
      typeof f === "object" &&
      f !== null &&
      typeof (f as FamilyShareView).family === "string" &&
      typeof (f as FamilyShareView).percent === "number",
  );
}

/** Whether a dry run found anything for the real run to do (counts that delete or write). */
export function dryRunFoundWork(run: Pick<JobRunRecord, "counts">): boolean {
  const counts = run.counts;
  // A run without counts says nothing about work to do.
  if (!counts) return true;
  switch (counts.job) {
    case "precompute":
    case "nightly-analytics":
      return counts.keysWritten > 0;
    case "archive":
      return counts.rowsArchived > 0;
    case "delete-archived":
      return counts.rowsDeleted > 0;
    case "prune-snapshots":
    case "sweep":
    case "invalidate-user":
      return counts.toDelete > 0;
    case "storage-report":
      // Its counts say nothing about work to do: it always may run.
      return true;
    default:
      return unknownJob(counts);
  }
}

/** A job this UI does not know (a newer core): its dry run cannot tell, so the run may go on. */
function unknownJob(counts: never): boolean {
  void counts;
  return true;
}

/** The schedule in words with its time zone, without the core's full stop; or "By hand only". */
export function scheduleText(
  job: Pick<JobView, "schedule" | "scheduleDescription" | "timeZone">,
): string {
  if (job.schedule === null) return "By hand only";
  const words = job.scheduleDescription?.replace(/\.(\s*\()/, "$1").trim();
  return words && words.length > 0 ? words : `${job.schedule} (${job.timeZone})`;
}
