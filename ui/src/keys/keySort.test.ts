// Tests of the key orders: UTF-8 byte order by name, expiry with never-expiring keys last.
import { describe, expect, it } from "vitest";
import type { KeyView } from "../ipc/bindings";
import { compareKeyNames, sortKeys } from "./keySort";

const key = (name: string, expiration: number | null = null): KeyView => ({
  name,
  expiration,
  metadata: null,
});
const names = (keys: KeyView[]) => keys.map((k) => k.name);

describe("compareKeyNames", () => {
  it("orders like bytes, including prefixes before longer names", () => {
    const sorted = ["report:rep:1", "report:rep", "Report", "report-x", "a"].sort(compareKeyNames);
    expect(sorted).toEqual(["Report", "a", "report-x", "report:rep", "report:rep:1"]);
  });

  it("puts characters outside the BMP after U+E000..U+FFFF, as UTF-8 does", () => {
    // In UTF-16 "😀" (D83D DE00) sorts before "\uFFFF"; in UTF-8 (F0.. vs EF..) it sorts after.
    expect(compareKeyNames("\uFFFF", "😀")).toBeLessThan(0);
    expect(compareKeyNames("😀", "\uFFFF")).toBeGreaterThan(0);
    expect(compareKeyNames("é", "😀")).toBeLessThan(0);
    expect(compareKeyNames("😀", "😁")).toBeLessThan(0);
    expect(compareKeyNames("same", "same")).toBe(0);
  });
});

describe("sortKeys", () => {
  const keys = [key("b", 300), key("a"), key("c", 100), key("d", 300), key("e")];

  it("sorts by name both ways", () => {
    expect(names(sortKeys(keys, "name-asc"))).toEqual(["a", "b", "c", "d", "e"]);
    expect(names(sortKeys(keys, "name-desc"))).toEqual(["e", "d", "c", "b", "a"]);
  });

  it("sorts by expiry soonest first with never-expiring keys last, ties by name", () => {
    expect(names(sortKeys(keys, "expiry-asc"))).toEqual(["c", "b", "d", "a", "e"]);
  });

  it("reverses the expiry order exactly for descending", () => {
    expect(names(sortKeys(keys, "expiry-desc"))).toEqual(["e", "a", "d", "b", "c"]);
  });

  it("does not modify its input", () => {
    const input = [key("b"), key("a")];
    sortKeys(input, "name-asc");
    expect(names(input)).toEqual(["b", "a"]);
  });
});
