// JSON for display. Values and key metadata cross IPC as JSON text and are re-printed with
// lossless-json so numbers keep their exact source text (KV reports carry 64-bit ids that
// JSON.parse would round).
import { parse, stringify } from "lossless-json";

/** Pretty-prints `text` when it is valid JSON, else returns null. Numbers are kept verbatim. */
export function prettyJson(text: string): string | null {
  try {
    return stringify(parse(text), null, 2) ?? null;
  } catch {
    return null;
  }
}

/** Key metadata (JSON text from the core) for the detail panel: indented, numbers verbatim. */
export function prettyMetadata(text: string): string {
  return prettyJson(text) ?? text;
}

/** A one-line summary of key metadata (JSON text) for list rows: compact, numbers verbatim, cut
 * at `maxChars` with an ellipsis. */
export function summarizeJson(text: string | null, maxChars = 80): string {
  if (text === null) return "";
  let compact = text;
  try {
    compact = stringify(parse(text)) ?? text;
  } catch {
    // Not JSON (the core never sends that): show the text as it is.
  }
  return compact.length > maxChars ? `${compact.slice(0, maxChars - 1)}…` : compact;
}
