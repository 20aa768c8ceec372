// A value's content: pretty JSON (numbers kept exact), raw text, or a hex dump. Offers the views
// the value allows and defaults to the most readable one.
import { SegmentedControl, Stack, Text } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import { base64ToBytes, hexDumpLine, hexDumpLineCount } from "../format/hexdump";
import { prettyJson } from "../format/json";
import type { ValueView } from "../ipc/bindings";
import classes from "./ValueViewer.module.css";

type Mode = "json" | "text" | "hex";

const HEX_LINE_HEIGHT = 18;

function HexView({ value }: { value: ValueView }) {
  const bytes = useMemo(
    () =>
      value.encoding === "base64"
        ? base64ToBytes(value.data)
        : new TextEncoder().encode(value.data),
    [value],
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: hexDumpLineCount(bytes),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => HEX_LINE_HEIGHT,
    overscan: 20,
  });
  return (
    <div ref={scrollRef} className={classes.scroll}>
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((line) => (
          <div
            key={line.key}
            className={classes.hexLine}
            style={{
              height: HEX_LINE_HEIGHT,
              lineHeight: `${HEX_LINE_HEIGHT}px`,
              transform: `translateY(${line.start}px)`,
            }}
          >
            {hexDumpLine(bytes, line.index)}
          </div>
        ))}
      </div>
    </div>
  );
}

export function ValueViewer({ value }: { value: ValueView }) {
  const json = useMemo(() => (value.encoding === "utf8" ? prettyJson(value.data) : null), [value]);
  const modes: { value: Mode; label: string }[] = [
    ...(json !== null ? [{ value: "json" as const, label: "JSON" }] : []),
    ...(value.encoding === "utf8" ? [{ value: "text" as const, label: "Text" }] : []),
    { value: "hex", label: "Hex" },
  ];
  // The user's choice wins while it is available; a value that turns out to be JSON once fully
  // loaded switches to the JSON view unless something else was picked.
  const [chosen, setChosen] = useState<Mode | null>(null);
  const mode = modes.find((m) => m.value === chosen)?.value ?? modes[0]?.value ?? "hex";

  if (value.data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Empty value
      </Text>
    );
  }
  return (
    <Stack gap="xs" h="100%" mih={240} data-testid="value-viewer" data-mode={mode}>
      <SegmentedControl
        size="xs"
        data={modes}
        value={mode}
        onChange={(next) => setChosen(next as Mode)}
        style={{ alignSelf: "flex-start" }}
      />
      <div style={{ flex: 1, minHeight: 0 }}>
        {mode === "hex" ? (
          <HexView value={value} />
        ) : (
          <div className={classes.scroll}>
            <pre className={classes.text}>{mode === "json" ? json : value.data}</pre>
          </div>
        )}
      </div>
    </Stack>
  );
}
