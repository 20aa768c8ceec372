// Orders of the key browser: by name in KV's own listing order (UTF-8 byte order), or by expiry
// (soonest first, never-expiring last); descending is the exact reverse of ascending.
import type { KeyView } from "../ipc/bindings";

export type KeySort = "name-asc" | "name-desc" | "expiry-asc" | "expiry-desc";

export const KEY_SORTS: { value: KeySort; label: string }[] = [
  { value: "name-asc", label: "Name A → Z" },
  { value: "name-desc", label: "Name Z → A" },
  { value: "expiry-asc", label: "Expiry, soonest first" },
  { value: "expiry-desc", label: "Expiry, latest first" },
];

export function isKeySort(value: unknown): value is KeySort {
  return KEY_SORTS.some((sort) => sort.value === value);
}

export function sortDirection(sort: KeySort): 1 | -1 {
  return sort.endsWith("-desc") ? -1 : 1;
}

// UTF-16 code units past a mismatch compare like code points once surrogates (D800-DFFF) are
// moved above the rest of the BMP (E000-FFFF); code point order is UTF-8 byte order.
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** Compares names as KV lists them: by UTF-8 bytes, which is not JS's UTF-16 `<`. */
export function compareKeyNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = codePointRank(x);
        y = codePointRank(y);
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** A key's expiry as a sortable number: never-expiring keys sort after every date. */
export function expiryRank(expiration: number | null): number {
  return expiration ?? Number.POSITIVE_INFINITY;
}

/** Numeric comparison that also orders infinities (where `a - b` would give NaN). */
export function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A sorted copy of `keys`; ties in expiry fall back to the name. */
export function sortKeys(keys: readonly KeyView[], sort: KeySort): KeyView[] {
  const direction = sortDirection(sort);
  const byName = (a: KeyView, b: KeyView) => compareKeyNames(a.name, b.name);
  const compare = sort.startsWith("name")
    ? byName
    : (a: KeyView, b: KeyView) =>
        compareNumbers(expiryRank(a.expiration), expiryRank(b.expiration)) || byName(a, b);
  return [...keys].sort((a, b) => direction * compare(a, b));
}
