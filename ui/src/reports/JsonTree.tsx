// A payload as a collapsible tree (for reports without a typed view): objects and arrays fold,
// numbers are shown with their exact digits.
import { Box, Text } from "@mantine/core";
import { isLosslessNumber } from "lossless-json";
import classes from "./JsonTree.module.css";
import { isRecord } from "./payload";

function Leaf({ value }: { value: unknown }) {
  if (value === null) return <span className={classes.null}>null</span>;
  if (typeof value === "string")
    return <span className={classes.string}>{JSON.stringify(value)}</span>;
  if (typeof value === "number" || isLosslessNumber(value)) {
    return (
      <span className={classes.number}>
        {isLosslessNumber(value) ? value.value : String(value)}
      </span>
    );
  }
  if (typeof value === "boolean") return <span className={classes.boolean}>{String(value)}</span>;
  return <span>{String(value)}</span>;
}

function Node({ name, value, depth }: { name: string | null; value: unknown; depth: number }) {
  const label = name === null ? null : <span className={classes.name}>{name}: </span>;
  const entries: [string, unknown][] | null = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : isRecord(value)
      ? Object.entries(value)
      : null;
  if (entries === null) {
    return (
      <div className={classes.row}>
        {label}
        <Leaf value={value} />
      </div>
    );
  }
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  return (
    <details open={depth < 2} className={classes.node}>
      <summary className={classes.row}>
        {label}
        <span className={classes.summary}>{summary}</span>
      </summary>
      <div className={classes.children}>
        {entries.map(([key, child]) => (
          <Node key={key} name={key} value={child} depth={depth + 1} />
        ))}
      </div>
    </details>
  );
}

export function JsonTree({ value }: { value: unknown }) {
  if (value === undefined) {
    return (
      <Text size="sm" c="dimmed">
        Empty value
      </Text>
    );
  }
  return (
    <Box className={classes.tree} data-testid="report-json-tree">
      <Node name={null} value={value} depth={0} />
    </Box>
  );
}
