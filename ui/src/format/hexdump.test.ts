import { describe, expect, it } from "vitest";
import { base64ToBytes, hexDump, hexDumpLine, hexDumpLineCount } from "./hexdump";

describe("base64ToBytes", () => {
  it("decodes binary bytes", () => {
    expect(Array.from(base64ToBytes("AP8QgA=="))).toEqual([0x00, 0xff, 0x10, 0x80]);
    expect(base64ToBytes("").length).toBe(0);
  });
});

describe("hexDump", () => {
  it("matches the hexdump -C layout", () => {
    const bytes = new TextEncoder().encode("Hello, Cachescope!\n\u0000\u00ff");
    expect(hexDump(bytes)).toBe(
      [
        "00000000  48 65 6c 6c 6f 2c 20 43  61 63 68 65 73 63 6f 70  |Hello, Cachescop|",
        "00000010  65 21 0a 00 c3 bf                                 |e!....|",
      ].join("\n"),
    );
  });

  it("renders any single line by index", () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => i + 0x30);
    expect(hexDumpLineCount(bytes)).toBe(3);
    expect(hexDumpLine(bytes, 2)).toBe(
      "00000020  50 51 52 53 54 55 56 57                           |PQRSTUVW|",
    );
  });

  it("is empty for an empty value", () => {
    expect(hexDump(new Uint8Array())).toBe("");
  });
});
