// "Compare with live SQL": the cached value against the report recomputed now, one row per
// differing field (path, cached, live, kind), or "Identical to live SQL".
import { Alert, Badge, Group, Stack, Table, Text } from "@mantine/core";
import type { ReportDiff } from "../ipc/bindings";
import { useNow } from "../keys/useNow";
import { diffHeadline, diffRows } from "./diffRows";
import { formatAgo, formatIsoAbsolute } from "./reportFormat";

const KIND_COLORS = { added: "teal", removed: "red", changed: "yellow" } as const;

export function DiffPanel({ diff }: { diff: ReportDiff }) {
  const now = useNow(15_000);
  const rows = diffRows(diff);
  return (
    <Stack
      gap="sm"
      data-testid="report-diff"
      data-identical={diff.identical}
      data-changes={rows.length}
    >
      <Alert
        color={diff.identical ? "teal" : "yellow"}
        variant="light"
        title={diffHeadline(diff)}
        data-testid="report-diff-headline"
      >
        <Text size="sm">
          Cached value generated{" "}
          {diff.cachedGeneratedAt
            ? `${formatIsoAbsolute(diff.cachedGeneratedAt)} (${formatAgo(diff.cachedGeneratedAt, now)})`
            : "— (no value in KV)"}
          ; live value computed {formatIsoAbsolute(diff.liveGeneratedAt)}. The report's generation
          time field, if it has one, is left out of the comparison.
        </Text>
      </Alert>
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={640} maxHeight={480} type="native">
          <Table fz="sm" verticalSpacing={4} striped stickyHeader data-testid="report-diff-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Path</Table.Th>
                <Table.Th>Cached (KV)</Table.Th>
                <Table.Th>Live SQL</Table.Th>
                <Table.Th ta="right">Change</Table.Th>
                <Table.Th>Kind</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr
                  key={`${row.kind}${row.pointer}`}
                  data-testid="report-diff-row"
                  data-path={row.pointer}
                  data-kind={row.kind}
                >
                  <Table.Td ff="monospace" fz="xs" title={row.pointer}>
                    {row.path}
                  </Table.Td>
                  <Table.Td ff="monospace" fz="xs" style={{ overflowWrap: "anywhere" }}>
                    {row.cached}
                  </Table.Td>
                  <Table.Td ff="monospace" fz="xs" style={{ overflowWrap: "anywhere" }}>
                    {row.live}
                  </Table.Td>
                  <Table.Td ta="right" ff="monospace" fz="xs">
                    {row.delta ?? ""}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <Badge size="sm" variant="light" color={KIND_COLORS[row.kind]} tt="none">
                        {row.kindLabel}
                      </Badge>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
