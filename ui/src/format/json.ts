// JSON for display. Values are re-printed with lossless-json so numbers keep their exact source
// text (KV reports carry 64-bit ids that JSON.parse would round).
import { parse, stringify } from "lossless-json";

/** Pretty-prints `text` when it is valid JSON, else returns null. Numbers are kept verbatim. */
export function prettyJson(text: string): string | null {
  try {
    return stringify(parse(text), null, 2) ?? null;
  } catch {
    return null;
  }
}

/** Pretty-prints a value that already crossed IPC as parsed JSON (e.g. key metadata). */
export function prettyValue(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** A one-line summary for list rows: compact JSON, cut at `maxChars` with an ellipsis. */
export function summarizeJson(value: unknown, maxChars = 80): string {
  if (value === null || value === undefined) return "";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
