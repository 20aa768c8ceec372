// Virtualized list of loaded keys: name, expiry countdown and a metadata summary per row.
// Only the visible rows are rendered, a row re-renders only when its own data or selection
// changes, and the clock's tick re-renders only the countdown texts, so scrolling through 100k
// loaded keys stays smooth. Rows are plain elements (no per-row component library widgets or
// tooltips) for the same reason.
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useMemo, useRef } from "react";
import { formatAbsolute, formatCountdown } from "../format/expiry";
import { summarizeJson } from "../format/json";
import type { KeyView } from "../ipc/bindings";
import classes from "./KeyList.module.css";
import { useNow } from "./useNow";

const ROW_HEIGHT = 52;

export function KeyList({
  keys,
  selectedKey,
  onSelect,
}: {
  keys: KeyView[];
  selectedKey: string | null;
  onSelect: (name: string) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // A stable callback keeps the memoized rows from re-rendering when the parent does.
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const select = useCallback((name: string) => onSelectRef.current(name), []);
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
          return (
            <KeyRow
              key={key.name}
              info={key}
              start={row.start}
              selected={key.name === selectedKey}
              onSelect={select}
            />
          );
        })}
      </div>
    </div>
  );
}

const KeyRow = memo(function KeyRow({
  info,
  start,
  selected,
  onSelect,
}: {
  info: KeyView;
  start: number;
  selected: boolean;
  onSelect: (name: string) => void;
}) {
  return (
    <button
      type="button"
      data-testid="key-row"
      data-key={info.name}
      className={classes.row}
      data-selected={selected || undefined}
      aria-current={selected || undefined}
      style={{ height: ROW_HEIGHT, transform: `translateY(${start}px)` }}
      onClick={() => onSelect(info.name)}
    >
      <span className={classes.name} title={info.name}>
        {info.name}
      </span>
      <span className={classes.details}>
        {info.expiration === null ? (
          <span className={classes.dimmed}>{formatCountdown(null, 0)}</span>
        ) : (
          <Countdown expiration={info.expiration} />
        )}
        <span className={classes.summary}>{summarizeJson(info.metadata)}</span>
      </span>
    </button>
  );
});

/** The row's expiry countdown: the only part of a row the clock's tick re-renders. */
function Countdown({ expiration }: { expiration: number }) {
  const now = useNow();
  const absolute = useMemo(() => formatAbsolute(expiration), [expiration]);
  return (
    <span className={expiration * 1000 <= now ? classes.expired : undefined} title={absolute}>
      {formatCountdown(expiration, now)}
    </span>
  );
}
