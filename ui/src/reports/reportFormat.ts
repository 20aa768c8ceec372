// Wording of a report's freshness for people: its age ("12 min ago"), TTL left, where a value
// came from, its schedule, and the offline banner. `nowMs` is passed in so callers control ticking.
import { formatAbsolute, formatDuration } from "../format/expiry";
import type { ReportList, ReportSummary, ValueSource } from "../ipc/bindings";

/** Milliseconds of an ISO timestamp, or null when absent or unreadable. */
export function parseIso(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** "just now", "45 s ago", "12 min ago", "3 h 5 min ago", "2 days ago"; "in 5 min" ahead. */
export function formatAgo(iso: string | null | undefined, nowMs: number): string {
  const at = parseIso(iso);
  if (at === null) return "unknown";
  const seconds = Math.round((nowMs - at) / 1000);
  if (seconds < 0) {
    // A clock ahead of ours; say so rather than "-3 min ago".
    return `in ${relative(-seconds)}`;
  }
  if (seconds < 5) return "just now";
  return `${relative(seconds)} ago`;
}

function relative(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  }
  const days = Math.floor(hours / 24);
  return `${days} days`;
}

/** "2026-11-22 14:05:09 UTC" for an ISO timestamp (the machine's time zone unless given). */
export function formatIsoAbsolute(iso: string | null | undefined, timeZone?: string): string {
  const at = parseIso(iso);
  if (at === null) return "unknown";
  return formatAbsolute(Math.floor(at / 1000), timeZone);
}

/** TTL left from an absolute expiry (Unix seconds): "48m 10s left", "expired", "no expiry". */
export function formatTtlLeft(expiration: number | null | undefined, nowMs: number): string {
  if (expiration === null || expiration === undefined) return "no expiry";
  const seconds = expiration - Math.floor(nowMs / 1000);
  return seconds > 0 ? `${formatDuration(seconds)} left` : "expired";
}

/** The badge text for where a value came from. */
export function sourceLabel(source: ValueSource): string {
  switch (source) {
    case "kv":
      return "KV";
    case "liveSql":
      return "Live SQL (KV miss)";
    case "mirror":
      return "Offline mirror";
  }
}

export function sourceColor(source: ValueSource): string {
  switch (source) {
    case "kv":
      return "blue";
    case "liveSql":
      return "grape";
    case "mirror":
      return "orange";
  }
}

/** "At every 15 minutes (UTC)": the schedule in words with its time zone. */
export function scheduleLabel(summary: Pick<ReportSummary, "scheduleText" | "timeZone">): string {
  // The core describes cron as a sentence ("At every 15 minutes."): drop its full stop.
  const text = summary.scheduleText.trim().replace(/\.$/, "") || "no schedule";
  return `${text} (${summary.timeZone})`;
}

/** What the list row says about a report's keys, whatever their number. */
export interface KeysDigest {
  count: number;
  /** The oldest generatedAt (the one that matters for freshness), if any key has one. */
  oldestGeneratedAt: string | null;
  /** The soonest expiry among the listed keys (Unix seconds). */
  soonestExpiration: number | null;
  staleCount: number;
  /** Keys listed (at most 500 of `count`). */
  listed: number;
}

export function digestKeys(summary: Pick<ReportSummary, "keys" | "keyCount">): KeysDigest {
  let oldest: number | null = null;
  let oldestIso: string | null = null;
  let soonest: number | null = null;
  let staleCount = 0;
  for (const key of summary.keys) {
    const at = parseIso(key.generatedAt);
    if (at !== null && (oldest === null || at < oldest)) {
      oldest = at;
      oldestIso = key.generatedAt;
    }
    if (key.expiration !== null && (soonest === null || key.expiration < soonest)) {
      soonest = key.expiration;
    }
    if (key.stale) staleCount += 1;
  }
  return {
    count: summary.keyCount,
    oldestGeneratedAt: oldestIso,
    soonestExpiration: soonest,
    staleCount,
    listed: summary.keys.length,
  };
}

/** The newest `syncedAt` of any key in the list (when the mirror was last synced), or null. */
export function lastSyncedAt(list: Pick<ReportList, "reports">): string | null {
  let newest: number | null = null;
  let newestIso: string | null = null;
  for (const report of list.reports) {
    for (const key of report.keys) {
      const at = parseIso(key.syncedAt);
      if (at !== null && (newest === null || at > newest)) {
        newest = at;
        newestIso = key.syncedAt;
      }
    }
  }
  return newestIso;
}

/** The banner over a list read from the mirror, or null when it came from KV. */
export function mirrorBanner(
  list: Pick<ReportList, "reports" | "source" | "offline" | "offlineReason">,
  nowMs: number,
): { title: string; detail: string | null; offline: boolean } | null {
  if (list.source !== "mirror") return null;
  const synced = lastSyncedAt(list);
  const when =
    synced === null
      ? "the offline mirror is empty: sync it while KV can be reached"
      : `showing reports synced at ${formatIsoAbsolute(synced)}, ${formatAgo(synced, nowMs)}`;
  if (list.offline) {
    return {
      title: `Offline — ${when}`,
      detail: list.offlineReason ?? null,
      offline: true,
    };
  }
  return { title: `Offline mirror — ${when}`, detail: null, offline: false };
}

/** "50.0 %": a 0-100 rate with one decimal. */
export function formatPercent(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "—";
  return `${value.toFixed(1)} %`;
}

/** "+12.5 %", "−3 %", "0 %": a change with its sign. */
export function formatSigned(value: number | null, unit = ""): string {
  if (value === null || Number.isNaN(value)) return "—";
  const rounded = Math.round(value * 10) / 10;
  const sign = rounded > 0 ? "+" : rounded < 0 ? "−" : "";
  return `${sign}${Math.abs(rounded).toLocaleString("en-US")}${unit}`;
}

/** Which way a change points, for its arrow and colour. */
export function trend(value: number | null): "up" | "down" | "flat" {
  if (value === null || Number.isNaN(value) || Math.abs(value) < 0.05) return "flat";
  return value > 0 ? "up" : "down";
}

/** Seconds as people read a processing time: "42 s", "5 min 3 s", "1 h 2 min". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || Number.isNaN(seconds)) return "—";
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) {
    const rest = whole % 60;
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
