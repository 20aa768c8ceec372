// The freshness diff as a table: one row per differing field, its JSON pointer as a readable path,
// both values as short text, and the numeric change when both are numbers.
import { parse } from "lossless-json";
import { formatCount } from "../format/count";
import type { ChangeKind, ReportDiff } from "../ipc/bindings";

export interface DiffRow {
  /** The JSON pointer, as the core sent it. */
  pointer: string;
  /** "processing › last24h › completed", "thisWeek › won › [0]". */
  path: string;
  kind: ChangeKind;
  kindLabel: string;
  cached: string;
  live: string;
  /** live − cached when both are plain numbers ("+2", "−0.5"), else null. */
  delta: string | null;
}

/** "/a~1b/0/c" → "a/b › [0] › c"; the root is "(whole value)". */
export function pointerToPath(pointer: string): string {
  if (pointer === "") return "(whole value)";
  return pointer
    .slice(1)
    .split("/")
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((token) => (/^\d+$/.test(token) ? `[${token}]` : token))
    .join(" › ");
}

const KIND_LABELS: Record<ChangeKind, string> = {
  added: "Only in live SQL",
  removed: "Only in KV",
  changed: "Changed",
};

/** A JSON text shortened for a cell (exact digits kept); "—" when absent. */
export function shortJson(text: string | null, maxChars = 120): string {
  if (text === null) return "—";
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

function plainNumber(text: string | null): number | null {
  if (text === null || !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text.trim())) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

export function numericDelta(cached: string | null, live: string | null): string | null {
  const a = plainNumber(cached);
  const b = plainNumber(live);
  if (a === null || b === null) return null;
  const d = Math.round((b - a) * 1000) / 1000;
  if (d === 0) return "0";
  return `${d > 0 ? "+" : "−"}${Math.abs(d).toLocaleString("en-US")}`;
}

export function diffRows(diff: Pick<ReportDiff, "changes">): DiffRow[] {
  return diff.changes.map((change) => ({
    pointer: change.path,
    path: pointerToPath(change.path),
    kind: change.kind,
    kindLabel: KIND_LABELS[change.kind],
    cached: shortJson(change.cached),
    live: shortJson(change.live),
    delta: numericDelta(change.cached, change.live),
  }));
}

/** The diff's headline. */
export function diffHeadline(
  diff: Pick<ReportDiff, "identical" | "changes" | "cachedGeneratedAt">,
): string {
  if (diff.cachedGeneratedAt === null && !diff.identical) {
    return "KV has no value for this key: everything below is only in live SQL";
  }
  if (diff.identical) return "Identical to live SQL";
  const n = diff.changes.length;
  return `${formatCount(n)} ${n === 1 ? "field differs" : "fields differ"} from live SQL`;
}

/** Whether a JSON text parses (the core sends values as JSON text; a bad one is shown as is). */
export function isJsonText(text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}
