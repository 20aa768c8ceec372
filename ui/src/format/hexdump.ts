// Hex dump of binary values in the `hexdump -C` layout: offset, 16 bytes in two groups of eight,
// then the printable ASCII. Lines are produced one at a time so a viewer can render only
// the visible ones of a multi-megabyte value.

export const BYTES_PER_LINE = 16;

/** Decodes the base64 `data` of a non-UTF-8 value. */
export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function hexDumpLineCount(bytes: Uint8Array): number {
  return Math.ceil(bytes.length / BYTES_PER_LINE);
}

/** Line `index` of the dump (the bytes at index*16 .. index*16+15). */
export function hexDumpLine(bytes: Uint8Array, index: number): string {
  const start = index * BYTES_PER_LINE;
  const chunk = bytes.subarray(start, start + BYTES_PER_LINE);
  let hex = "";
  let ascii = "";
  for (let i = 0; i < BYTES_PER_LINE; i++) {
    const byte = chunk[i];
    if (i === 8) hex += " ";
    hex += byte === undefined ? "   " : `${byte.toString(16).padStart(2, "0")} `;
    if (byte !== undefined) ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
  }
  return `${start.toString(16).padStart(8, "0")}  ${hex} |${ascii}|`;
}

/** The whole dump as text. */
export function hexDump(bytes: Uint8Array): string {
  return Array.from({ length: hexDumpLineCount(bytes) }, (_, i) => hexDumpLine(bytes, i)).join(
    "\n",
  );
}
