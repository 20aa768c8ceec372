// Tree view of the loaded keys: names grouped by ':' into folders with key counts. The visible
// rows (expanded folders only) are virtualized like the flat list, so 100k keys stay smooth.
// Mounted per prefix filter: the folders the prefix names start expanded.
import { Badge, Button, Group, Stack, Text, UnstyledButton } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import { formatCount } from "../format/count";
import type { KeyView } from "../ipc/bindings";
import { Expiry } from "./Expiry";
import classes from "./KeyTree.module.css";
import type { KeySort } from "./keySort";
import {
  buildKeyTree,
  flattenKeyTree,
  folderPaths,
  type KeyTreeNode,
  prefixFolderPaths,
} from "./keyTree";

const ROW_HEIGHT = 30;
const INDENT = 16;

function Segment({ segment }: { segment: string }) {
  if (segment === "") return <span className={classes.empty}>(empty)</span>;
  return <>{segment}</>;
}

function FolderLabel({ node, expanded }: { node: KeyTreeNode; expanded: boolean }) {
  return (
    <>
      <span className={classes.chevron} data-expanded={expanded || undefined} aria-hidden>
        ▸
      </span>
      <Text size="sm" ff="monospace" className={classes.label} title={`${node.path}:`}>
        <Segment segment={node.segment} />
      </Text>
      <Badge size="sm" variant="light" color="gray" style={{ flexShrink: 0 }}>
        {formatCount(node.descendantCount)}
      </Badge>
    </>
  );
}

export function KeyTree({
  keys,
  sort,
  prefix,
  selectedKey,
  onSelect,
}: {
  keys: readonly KeyView[];
  sort: KeySort;
  prefix: string;
  selectedKey: string | null;
  onSelect: (name: string) => void;
}) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(
    () => new Set(prefixFolderPaths(prefix)),
  );
  const tree = useMemo(() => buildKeyTree(keys, sort), [keys, sort]);
  const rows = useMemo(() => flattenKeyTree(tree, expanded), [tree, expanded]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  const toggle = (path: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(path)) next.add(path);
      return next;
    });

  return (
    <Stack h="100%" gap={4}>
      <Group gap={4} justify="flex-end">
        <Button
          size="compact-xs"
          variant="subtle"
          data-testid="tree-expand-all"
          onClick={() => setExpanded(new Set(folderPaths(tree)))}
        >
          Expand all
        </Button>
        <Button
          size="compact-xs"
          variant="subtle"
          data-testid="tree-collapse-all"
          onClick={() => setExpanded(new Set())}
        >
          Collapse all
        </Button>
      </Group>
      <div
        ref={scrollRef}
        role="tree"
        aria-label="Keys"
        style={{ flex: 1, minHeight: 0, overflowY: "auto" }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const style = {
              height: ROW_HEIGHT,
              transform: `translateY(${item.start}px)`,
              paddingLeft: 4 + row.depth * INDENT,
            };
            if (row.kind === "folder") {
              return (
                <UnstyledButton
                  key={`folder:${row.node.path}`}
                  role="treeitem"
                  aria-level={row.depth + 1}
                  aria-expanded={row.expanded}
                  data-testid="tree-node"
                  data-path={row.node.path}
                  data-count={row.node.descendantCount}
                  className={classes.row}
                  style={style}
                  onClick={() => toggle(row.node.path)}
                >
                  <FolderLabel node={row.node} expanded={row.expanded} />
                </UnstyledButton>
              );
            }
            const selected = row.key.name === selectedKey;
            return (
              <UnstyledButton
                key={`key:${row.key.name}`}
                role="treeitem"
                aria-level={row.depth + 1}
                aria-selected={selected}
                data-testid="key-row"
                data-key={row.key.name}
                data-selected={selected || undefined}
                className={classes.row}
                style={style}
                title={row.key.name}
                onClick={() => onSelect(row.key.name)}
              >
                <span className={classes.chevron} aria-hidden>
                  ·
                </span>
                <Text size="sm" ff="monospace" className={classes.label}>
                  <Segment segment={row.segment} />
                </Text>
                <Expiry expiration={row.key.expiration} size="xs" style={{ flexShrink: 0 }} />
              </UnstyledButton>
            );
          })}
        </div>
      </div>
    </Stack>
  );
}
