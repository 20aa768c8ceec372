// Virtualized list of loaded keys: name, expiry countdown and a metadata summary per row.
// Only the visible rows are rendered, so tens of thousands of loaded keys stay cheap.
import { Group, Text, UnstyledButton } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import { summarizeJson } from "../format/json";
import type { KeyInfo } from "../ipc/bindings";
import { Expiry } from "./Expiry";
import classes from "./KeyList.module.css";
import { useNow } from "./useNow";

const ROW_HEIGHT = 52;

export function KeyList({
  keys,
  selectedKey,
  onSelect,
}: {
  keys: KeyInfo[];
  selectedKey: string | null;
  onSelect: (name: string) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const now = useNow();
  const virtualizer = useVirtualizer({
    count: keys.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  return (
    <div ref={scrollRef} style={{ height: "100%", overflowY: "auto" }}>
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((row) => {
          const key = keys[row.index];
          if (!key) return null;
          const selected = key.name === selectedKey;
          return (
            <UnstyledButton
              key={key.name}
              data-testid="key-row"
              data-key={key.name}
              className={classes.row}
              data-selected={selected || undefined}
              aria-current={selected || undefined}
              style={{ height: ROW_HEIGHT, transform: `translateY(${row.start}px)` }}
              onClick={() => onSelect(key.name)}
            >
              <Text size="sm" ff="monospace" truncate="end" title={key.name}>
                {key.name}
              </Text>
              <Group gap="xs" wrap="nowrap">
                <Expiry expiration={key.expiration} now={now} size="xs" style={{ flexShrink: 0 }} />
                <Text size="xs" c="dimmed" ff="monospace" truncate="end">
                  {summarizeJson(key.metadata)}
                </Text>
              </Group>
            </UnstyledButton>
          );
        })}
      </div>
    </div>
  );
}
