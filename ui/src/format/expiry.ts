// Key expiry as a relative countdown ("expires in 2h 5m") and as an absolute timestamp for hovers.
// KV expirations are unix seconds; `now` is passed in (milliseconds) so callers control ticking.

const STEPS = [
  ["d", 86_400],
  ["h", 3_600],
  ["m", 60],
  ["s", 1],
] as const;

/** The two most significant units of a duration: 93784 → "1d 2h", 59 → "59s". */
export function formatDuration(totalSeconds: number): string {
  let rest = Math.max(0, Math.floor(totalSeconds));
  const parts: string[] = [];
  for (const [unit, size] of STEPS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
    if (parts.length === 2) break;
  }
  // Drop a trailing zero unit: "2h 0m" reads better as "2h".
  if (parts.length === 2 && parts[1]?.startsWith("0")) parts.pop();
  return parts.length > 0 ? parts.join(" ") : "0s";
}

/** "expires in 1d 2h", "expired 5m ago", or "no expiry" for keys without an expiration. */
export function formatCountdown(expiration: number | null, nowMs: number): string {
  if (expiration === null) return "no expiry";
  const seconds = expiration - Math.floor(nowMs / 1000);
  return seconds > 0
    ? `expires in ${formatDuration(seconds)}`
    : `expired ${formatDuration(-seconds)} ago`;
}

// Building an Intl.DateTimeFormat costs far more than formatting with one (it resolves locale
// data), and lists format an expiry per row, so one formatter is kept per time zone.
const absoluteFormats = new Map<string, Intl.DateTimeFormat>();

function absoluteFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const id = timeZone ?? "";
  let format = absoluteFormats.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    absoluteFormats.set(id, format);
  }
  return format;
}

/** "2026-11-22 14:05:09 UTC"; `timeZone` defaults to the machine's own. */
export function formatAbsolute(expiration: number, timeZone?: string): string {
  const parts = absoluteFormat(timeZone).formatToParts(new Date(expiration * 1000));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}:${part("second")} ${part("timeZoneName")}`;
}
