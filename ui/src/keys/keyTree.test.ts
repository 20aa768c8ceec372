// Tests of grouping keys by ':' into a tree, its ordering and its flattening into rows.
import { describe, expect, it } from "vitest";
import type { KeyView } from "../ipc/bindings";
import {
  buildKeyTree,
  flattenKeyTree,
  folderPaths,
  type KeyTreeRow,
  prefixFolderPaths,
} from "./keyTree";

const key = (name: string, expiration: number | null = null): KeyView => ({
  name,
  expiration,
  metadata: null,
});

/** Rows as short strings: "  ▸ user (3)" for folders, "  · dashboard = user:abc:…" for keys;
 * an empty segment shows as ∅. */
function describeRows(rows: KeyTreeRow[]): string[] {
  return rows.map((row) => {
    const indent = "  ".repeat(row.depth);
    if (row.kind === "key") return `${indent}· ${row.segment || "∅"} = ${row.key.name}`;
    const marker = row.expanded ? "▾" : "▸";
    return `${indent}${marker} ${row.node.segment || "∅"} (${row.node.descendantCount})`;
  });
}

const NAMES = [
  "report:rep",
  "report:rep:1",
  "report:rep:2",
  "report:team:default",
  "user:abc:analytics:dashboard",
  "user:abc:analytics:funnel",
  "user:xyz:analytics:dashboard",
  "plain",
];

describe("buildKeyTree", () => {
  const root = buildKeyTree(
    NAMES.map((n) => key(n)),
    "name-asc",
  );

  it("shows only the top level when nothing is expanded", () => {
    expect(describeRows(flattenKeyTree(root, new Set()))).toEqual([
      "· plain = plain",
      "▸ report (4)",
      "▸ user (3)",
    ]);
    expect(root.descendantCount).toBe(NAMES.length);
  });

  it("groups by ':' with counts of the keys below each folder", () => {
    const expanded = new Set(["user", "user:abc", "user:abc:analytics"]);
    expect(describeRows(flattenKeyTree(root, expanded))).toEqual([
      "· plain = plain",
      "▸ report (4)",
      "▾ user (3)",
      "  ▾ abc (2)",
      "    ▾ analytics (2)",
      "      · dashboard = user:abc:analytics:dashboard",
      "      · funnel = user:abc:analytics:funnel",
      "  ▸ xyz (1)",
    ]);
  });

  it("shows a name that is both a key and a prefix as a key row and a folder row", () => {
    const rows = flattenKeyTree(root, new Set(["report", "report:rep"]));
    expect(describeRows(rows)).toEqual([
      "· plain = plain",
      "▾ report (4)",
      "  · rep = report:rep",
      "  ▾ rep (2)",
      "    · 1 = report:rep:1",
      "    · 2 = report:rep:2",
      "  ▸ team (1)",
      "▸ user (3)",
    ]);
    const folder = rows[3];
    expect(folder?.kind === "folder" && folder.node.path).toBe("report:rep");
  });

  it("keeps empty segments as their own folders", () => {
    const tree = buildKeyTree([key("a::b"), key("a:"), key("a:c")], "name-asc");
    expect(describeRows(flattenKeyTree(tree, new Set(["a", "a:"])))).toEqual([
      "▾ a (3)",
      "  · ∅ = a:",
      "  ▾ ∅ (1)",
      "    · b = a::b",
      "  · c = a:c",
    ]);
    expect(folderPaths(tree)).toEqual(["a", "a:"]);
  });

  it("orders each level by byte order whatever the input order", () => {
    const tree = buildKeyTree([key("b"), key("a:2"), key("a-1"), key("a:1")], "name-asc");
    expect(describeRows(flattenKeyTree(tree, new Set(["a"])))).toEqual([
      "▾ a (2)",
      "  · 1 = a:1",
      "  · 2 = a:2",
      "· a-1 = a-1",
      "· b = b",
    ]);
  });

  it("reverses every level for name-desc", () => {
    const tree = buildKeyTree(
      NAMES.map((n) => key(n)),
      "name-desc",
    );
    expect(describeRows(flattenKeyTree(tree, new Set(["report", "report:rep"])))).toEqual([
      "▸ user (3)",
      "▾ report (4)",
      "  ▸ team (1)",
      "  ▾ rep (2)",
      "    · 2 = report:rep:2",
      "    · 1 = report:rep:1",
      "  · rep = report:rep",
      "· plain = plain",
    ]);
  });

  it("places folders by their soonest expiry, never-expiring last", () => {
    const keys = [key("a:1", 500), key("a:2"), key("b", 100), key("c:1", 50), key("d")];
    const tree = buildKeyTree(keys, "expiry-asc");
    expect(describeRows(flattenKeyTree(tree, new Set(["a", "c"])))).toEqual([
      "▾ c (1)",
      "  · 1 = c:1",
      "· b = b",
      "▾ a (2)",
      "  · 1 = a:1",
      "  · 2 = a:2",
      "· d = d",
    ]);
  });

  it("places folders by their latest expiry for expiry-desc", () => {
    const keys = [key("a:1", 500), key("a:2", 10), key("b", 100), key("c:1", 50), key("d")];
    const tree = buildKeyTree(keys, "expiry-desc");
    expect(describeRows(flattenKeyTree(tree, new Set(["a"])))).toEqual([
      "· d = d",
      "▾ a (2)",
      "  · 1 = a:1",
      "  · 2 = a:2",
      "· b = b",
      "▸ c (1)",
    ]);
  });

  it("handles 100k keys quickly", () => {
    const keys = Array.from({ length: 100_000 }, (_, i) =>
      key(`user:${i % 1000}:analytics:${i}`, i % 3 === 0 ? null : 1_800_000_000 + i),
    );
    const started = performance.now();
    const tree = buildKeyTree(keys, "expiry-asc");
    const rows = flattenKeyTree(tree, new Set(folderPaths(tree)));
    expect(tree.descendantCount).toBe(100_000);
    // 1 "user" + 1000 ids + 1000 "analytics" folders + 100k keys.
    expect(rows.length).toBe(1 + 1000 + 1000 + 100_000);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe("prefixFolderPaths", () => {
  it("lists the folders a prefix fully names", () => {
    expect(prefixFolderPaths("")).toEqual([]);
    expect(prefixFolderPaths("user")).toEqual([]);
    expect(prefixFolderPaths("user:")).toEqual(["user"]);
    expect(prefixFolderPaths("user:abc:ana")).toEqual(["user", "user:abc"]);
    expect(prefixFolderPaths("a::b")).toEqual(["a", "a:"]);
  });
});
