// Key names grouped by ':' into a tree of folders, ordered for a sort, and flattened into the
// visible rows of a virtualized list. A name can be both a key and a folder ("report:rep" next to
// "report:rep:1"): it then yields a key row and a folder row at the same level.
import type { KeyView } from "../ipc/bindings";
import {
  compareKeyNames,
  compareNumbers,
  expiryRank,
  type KeySort,
  sortDirection,
} from "./keySort";

export const KEY_SEPARATOR = ":";

export interface KeyTreeNode {
  /** This level's part of the name; may be empty ("a::b"). */
  segment: string;
  /** The name up to and including this segment, e.g. "user:abc"; "" for the root. */
  path: string;
  /** The key named exactly `path`, if there is one. */
  key: KeyView | null;
  /** Keys and folders one level down, in display order. */
  entries: KeyTreeEntry[];
  /** Keys whose names start with `path:` (this node's own key not included). */
  descendantCount: number;
  /** Soonest and latest expiry among the descendants (Infinity = never). */
  soonest: number;
  latest: number;
}

/** One item of a level: a node's key, or the node as a folder. */
export type KeyTreeEntry =
  | { kind: "key"; node: KeyTreeNode }
  | { kind: "folder"; node: KeyTreeNode };

export type KeyTreeRow =
  | { kind: "folder"; node: KeyTreeNode; depth: number; expanded: boolean }
  | { kind: "key"; key: KeyView; segment: string; depth: number };

interface BuildNode {
  segment: string;
  path: string;
  key: KeyView | null;
  children: Map<string, BuildNode>;
}

function newNode(segment: string, path: string): BuildNode {
  return { segment, path, key: null, children: new Map() };
}

function entryComparator(sort: KeySort): (a: KeyTreeEntry, b: KeyTreeEntry) => number {
  const direction = sortDirection(sort);
  // A folder sits where its first row would be once expanded.
  const rank = (entry: KeyTreeEntry) =>
    entry.kind === "key"
      ? expiryRank(entry.node.key?.expiration ?? null)
      : direction === 1
        ? entry.node.soonest
        : entry.node.latest;
  const byName = (a: KeyTreeEntry, b: KeyTreeEntry) =>
    compareKeyNames(a.node.segment, b.node.segment) ||
    (a.kind === b.kind ? 0 : a.kind === "key" ? -1 : 1);
  const compare = sort.startsWith("name")
    ? byName
    : (a: KeyTreeEntry, b: KeyTreeEntry) => compareNumbers(rank(a), rank(b)) || byName(a, b);
  return (a, b) => direction * compare(a, b);
}

function finish(build: BuildNode, compare: (a: KeyTreeEntry, b: KeyTreeEntry) => number) {
  const node: KeyTreeNode = {
    segment: build.segment,
    path: build.path,
    key: build.key,
    entries: [],
    descendantCount: 0,
    soonest: Number.POSITIVE_INFINITY,
    latest: Number.NEGATIVE_INFINITY,
  };
  for (const childBuild of build.children.values()) {
    const child = finish(childBuild, compare);
    if (child.key) {
      node.entries.push({ kind: "key", node: child });
      node.descendantCount += 1;
      const rank = expiryRank(child.key.expiration);
      node.soonest = Math.min(node.soonest, rank);
      node.latest = Math.max(node.latest, rank);
    }
    if (child.entries.length > 0) {
      node.entries.push({ kind: "folder", node: child });
      node.descendantCount += child.descendantCount;
      node.soonest = Math.min(node.soonest, child.soonest);
      node.latest = Math.max(node.latest, child.latest);
    }
  }
  node.entries.sort(compare);
  return node;
}

/** Groups `keys` by ':' and orders every level for `sort`. Returns the root (path ""). */
export function buildKeyTree(keys: readonly KeyView[], sort: KeySort): KeyTreeNode {
  const root = newNode("", "");
  for (const key of keys) {
    const name = key.name;
    let node = root;
    let start = 0;
    for (;;) {
      const end = name.indexOf(KEY_SEPARATOR, start);
      const stop = end === -1 ? name.length : end;
      const segment = name.slice(start, stop);
      let child = node.children.get(segment);
      if (!child) {
        child = newNode(segment, name.slice(0, stop));
        node.children.set(segment, child);
      }
      if (end === -1) {
        child.key = key;
        break;
      }
      node = child;
      start = end + 1;
    }
  }
  return finish(root, entryComparator(sort));
}

/** The rows to show: every entry of the root level, and below each expanded folder. */
export function flattenKeyTree(root: KeyTreeNode, expanded: ReadonlySet<string>): KeyTreeRow[] {
  const rows: KeyTreeRow[] = [];
  const visit = (node: KeyTreeNode, depth: number) => {
    for (const entry of node.entries) {
      if (entry.kind === "key" && entry.node.key) {
        rows.push({ kind: "key", key: entry.node.key, segment: entry.node.segment, depth });
      } else if (entry.kind === "folder") {
        const isExpanded = expanded.has(entry.node.path);
        rows.push({ kind: "folder", node: entry.node, depth, expanded: isExpanded });
        if (isExpanded) visit(entry.node, depth + 1);
      }
    }
  };
  visit(root, 0);
  return rows;
}

/** Paths of every folder, for "expand all". */
export function folderPaths(root: KeyTreeNode): string[] {
  const paths: string[] = [];
  const visit = (node: KeyTreeNode) => {
    for (const entry of node.entries) {
      if (entry.kind === "folder") {
        paths.push(entry.node.path);
        visit(entry.node);
      }
    }
  };
  visit(root);
  return paths;
}

/** The folders a prefix filter already selects ("user:abc:an" → "user", "user:abc"), so the
 * tree opens where the filter points. */
export function prefixFolderPaths(prefix: string): string[] {
  const segments = prefix.split(KEY_SEPARATOR);
  segments.pop();
  const paths: string[] = [];
  let path = "";
  for (const [index, segment] of segments.entries()) {
    path = index === 0 ? segment : `${path}${KEY_SEPARATOR}${segment}`;
    paths.push(path);
  }
  return paths;
}
