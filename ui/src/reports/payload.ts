// Reading a report's JSON for display. The text is parsed with lossless-json: numbers that a
// double holds exactly become numbers, the others (64-bit ids) stay LosslessNumbers and are shown
// verbatim. Then small, total accessors: a payload that lacks a field shows "—", never a crash.
import { isLosslessNumber, isSafeNumber, LosslessNumber, parse } from "lossless-json";

export type Row = Record<string, unknown>;

/** The parsed payload, or the parse error's message. */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parseNumber(text: string): number | LosslessNumber {
  return isSafeNumber(text) ? Number.parseFloat(text) : new LosslessNumber(text);
}

export function parseReportJson(text: string): Parsed {
  try {
    return { ok: true, value: parse(text, null, parseNumber) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export function isRecord(value: unknown): value is Row {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !isLosslessNumber(value)
  );
}

/** `field(payload, "processing", "last24h")`: the nested value, or undefined. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const name of path) {
    if (!isRecord(current)) return undefined;
    current = current[name];
  }
  return current;
}

/** A number (LosslessNumbers and numeric strings approximated), or null. */
export function asNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (isLosslessNumber(value)) return Number(value.value);
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  return null;
}

export function asText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (isLosslessNumber(value)) return value.value;
  return null;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The objects of an array (anything else in it is skipped). */
export function asRows(value: unknown): Row[] {
  return asArray(value).filter(isRecord);
}

/** An object's entries as rows, the key under `keyName`: `{E1: {count: 2}}` → `[{code: "E1", count: 2}]`. */
export function entriesAsRows(value: unknown, keyName: string): Row[] {
  if (!isRecord(value)) return [];
  return Object.entries(value).map(([key, entry]) =>
    isRecord(entry) ? { [keyName]: key, ...entry } : { [keyName]: key, value: entry },
  );
}

/** The value a JSON pointer (RFC 6901) names, or undefined. */
export function resolvePointer(value: unknown, pointer: string): unknown {
  if (pointer === "") return value;
  if (!pointer.startsWith("/")) return undefined;
  let current = value;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (isRecord(current)) {
      current = current[token];
    } else {
      return undefined;
    }
  }
  return current;
}

/** A table spec's rows, as the core exports them: an array of objects, or an object of objects
 * (one row per entry, its key first under "key"). */
export function tableRows(value: unknown, pointer: string): Row[] {
  const found = resolvePointer(value, pointer);
  if (Array.isArray(found)) return asRows(found);
  return entriesAsRows(found, "key");
}

/** Every column the rows have, in first-seen order. */
export function columnsOf(rows: Row[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/** A cell as text: "—" for nothing, exact digits for big numbers, grouped digits otherwise. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "number") return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
  if (isLosslessNumber(value)) return value.value;
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) {
    return value.every((v) => !isRecord(v) && !Array.isArray(v))
      ? value.map(displayValue).join(", ")
      : `${value.length} items`;
  }
  return JSON.stringify(value, (_key, v: unknown) => (isLosslessNumber(v) ? v.value : v));
}

/** An ISO timestamp as "2026-11-19 12:00" (UTC, so every reader sees the same); else as is. */
export function displayDate(value: unknown): string {
  const text = asText(value);
  if (text === null) return "—";
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?/.exec(text);
  if (!match) return text;
  if (!match[2]) return match[1] ?? text;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return text;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "Week uploads" from "weekUploads", "Avg MEDDIC" from "avgMeddic". */
export function humanizeName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  const text = words.replace(/\bmeddic\b/g, "MEDDIC").replace(/\bid\b/g, "ID");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export type SortDirection = "asc" | "desc";

function compareCells(a: unknown, b: unknown): number {
  const empty = (v: unknown) => v === null || v === undefined || v === "";
  if (empty(a) || empty(b)) return empty(a) === empty(b) ? 0 : empty(a) ? 1 : -1;
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== null && nb !== null && typeof a !== "string" && typeof b !== "string") {
    return na - nb;
  }
  return displayValue(a).localeCompare(displayValue(b), "en", { numeric: true });
}

/** Rows sorted by one column (stable; empty cells last either way). */
export function sortRows(rows: Row[], column: string, direction: SortDirection): Row[] {
  const sign = direction === "asc" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      const a = x.row[column];
      const b = y.row[column];
      const emptyA = a === null || a === undefined || a === "";
      const emptyB = b === null || b === undefined || b === "";
      if (emptyA || emptyB) return emptyA === emptyB ? x.index - y.index : emptyA ? 1 : -1;
      return sign * compareCells(a, b) || x.index - y.index;
    })
    .map(({ row }) => row);
}
