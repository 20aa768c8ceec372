import { describe, expect, it } from "vitest";
import { formatByteCount, formatBytes } from "./bytes";

describe("formatBytes", () => {
  it("keeps small sizes in bytes", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
  });

  it("uses binary units with at most one decimal", () => {
    expect(formatBytes(1024)).toBe("1 KiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1048576)).toBe("1 MiB");
    expect(formatBytes(25 * 1024 * 1024)).toBe("25 MiB");
    expect(formatBytes(1048576 + 100_000)).toBe("1.1 MiB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3 GiB");
  });
});

describe("formatByteCount", () => {
  it("groups digits and pluralises", () => {
    expect(formatByteCount(1)).toBe("1 byte");
    expect(formatByteCount(1048576)).toBe("1,048,576 bytes");
  });
});
