// Byte sizes for people: binary units (KiB, MiB) to match KV's limits, which are powers of two.

const UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/** 1536 → "1.5 KiB"; one decimal at most, dropped when it is zero. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit: string = "B";
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  const rounded = Math.round(value * 10) / 10;
  return `${rounded} ${unit}`;
}

/** 1048576 → "1,048,576 bytes": the exact count, next to the rounded one. */
export function formatByteCount(bytes: number): string {
  return `${bytes.toLocaleString("en-US")} ${bytes === 1 ? "byte" : "bytes"}`;
}
