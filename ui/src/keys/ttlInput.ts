// The TTL form's input: whole seconds of at least KV's minimum of 60, or "never" for no expiry.

export const MIN_TTL_SECONDS = 60;

export type TtlInput = { ok: true; ttlSeconds: number | null } | { ok: false; error: string };

export const TTL_PRESETS: { label: string; value: string }[] = [
  { label: "1 hour", value: "3600" },
  { label: "1 day", value: "86400" },
  { label: "7 days", value: "604800" },
  { label: "Never", value: "never" },
];

/** Parses what the user typed; `ttlSeconds` null means the key never expires. */
export function parseTtlInput(text: string): TtlInput {
  const value = text.trim();
  if (value === "") return { ok: false, error: "Enter seconds (at least 60), or never" };
  if (value.toLowerCase() === "never") return { ok: true, ttlSeconds: null };
  if (!/^\d+$/.test(value)) return { ok: false, error: "Use whole seconds, or never" };
  const seconds = Number(value);
  if (!Number.isSafeInteger(seconds)) return { ok: false, error: "That is too long a TTL" };
  if (seconds < MIN_TTL_SECONDS) {
    return { ok: false, error: `KV's minimum TTL is ${MIN_TTL_SECONDS} seconds` };
  }
  return { ok: true, ttlSeconds: seconds };
}

/** The absolute expiry (unix seconds) a TTL gives when set at `nowMs`; null for never. */
export function expirationFromTtl(ttlSeconds: number | null, nowMs: number): number | null {
  return ttlSeconds === null ? null : Math.floor(nowMs / 1000) + ttlSeconds;
}
