// Wording of a delete-by-prefix run: its progress line and bar, and its outcome.
import { countNoun, formatCount } from "../format/count";
import type { PrefixDeletion, ProgressUpdate } from "../ipc/bindings";

export interface ProgressView {
  label: string;
  /** 0-100, or null while the total is unknown (listing). */
  percent: number | null;
}

/** "Listing keys… 12,000 found" while listing; "Deleting… 500 of 2,000 keys" while deleting. */
export function describeProgress(update: ProgressUpdate | null): ProgressView {
  if (update === null) return { label: "Starting…", percent: null };
  const percent =
    update.total === null || update.total === 0
      ? null
      : Math.min(100, (update.done / update.total) * 100);
  if (update.phase === "list") {
    return { label: `Listing keys… ${formatCount(update.done)} found`, percent };
  }
  if (update.phase === "delete") {
    const total = update.total === null ? "" : ` of ${formatCount(update.total)}`;
    return {
      label: `Deleting… ${formatCount(update.done)}${total} ${update.total === 1 ? "key" : "keys"}`,
      percent,
    };
  }
  return { label: `${update.phase}… ${formatCount(update.done)}`, percent };
}

/** The dry run's headline: "1,234 keys would be deleted". */
export function describeDryRun(result: PrefixDeletion): string {
  if (result.matched === 0) return `No key starts with “${result.prefix}”`;
  return `${countNoun(result.matched, "key")} would be deleted`;
}

/** The real run's outcome: "Deleted 2,000 of 2,000 keys", "Cancelled after deleting …", or,
 * when the server left keys undeleted, "Deleted 1,998 keys; 2 could not be deleted". */
export function describeDeletion(result: PrefixDeletion): string {
  if (result.failed > 0) {
    const notDeleted = `${formatCount(result.failed)} could not be deleted`;
    return result.cancelled
      ? `Cancelled after deleting ${countNoun(result.deleted, "key")}; ${notDeleted}`
      : `Deleted ${countNoun(result.deleted, "key")}; ${notDeleted}`;
  }
  const ofTotal = `${formatCount(result.deleted)} of ${countNoun(result.matched, "key")}`;
  return result.cancelled ? `Cancelled after deleting ${ofTotal}` : `Deleted ${ofTotal}`;
}

/** How the outcome is shown: green when done, yellow when cancelled, orange when keys remain
 * that the server did not delete. */
export function deletionColor(result: PrefixDeletion): "teal" | "yellow" | "orange" {
  if (result.failed > 0) return "orange";
  return result.cancelled ? "yellow" : "teal";
}

/** Failed keys beyond the sample shown ("and 3 more"); 0 when the sample holds them all. */
export function failedNotShown(result: PrefixDeletion): number {
  return Math.max(0, result.failed - result.failedSample.length);
}
