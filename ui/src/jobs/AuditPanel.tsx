// The profile's audit log (its database's shared log when it names one, else this machine's):
// deletions, writes, imports, job runs and job settings, profile changes, newest first, with
// Export CSV. An entry still `interrupted` was cut off before its outcome was recorded.
import { Badge, Button, Group, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { EmptyState, ErrorAlert, LoadingState } from "../feedback/QueryStates";
import { formatCount } from "../format/count";
import { auditLog, exportAuditCsv } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { useNow } from "../keys/useNow";
import { formatAgo, formatIsoAbsolute } from "../reports/reportFormat";
import { auditFileName, downloadText } from "./download";

const LIMIT = 500;

function outcomeColor(outcome: string): string {
  if (outcome.startsWith("failed")) return "red";
  if (outcome === "cancelled" || outcome === "skipped" || outcome === "interrupted")
    return "yellow";
  return "teal";
}

export function AuditPanel({ profile }: { profile: string }) {
  const log = useQuery({
    queryKey: queryKeys.audit(profile),
    queryFn: () => auditLog({ profile, limit: LIMIT }),
    staleTime: 0,
  });
  const exportCsv = useMutation({
    mutationFn: () => exportAuditCsv({ profile, limit: LIMIT }),
    onSuccess: (csv) => downloadText(csv, auditFileName(new Date())),
  });
  const now = useNow(15_000);

  let body: ReactNode;
  if (log.isPending) body = <LoadingState label="Loading the audit log…" />;
  else if (log.isError) body = <ErrorAlert error={log.error} onRetry={() => log.refetch()} />;
  else if (log.data.length === 0)
    body = (
      <EmptyState
        title="The audit log is empty"
        description="Deletions, writes, imports, destructive job runs (dry runs included) and job settings changes are recorded here."
      />
    );
  else
    body = (
      <Table.ScrollContainer minWidth={900} type="native">
        <Table fz="sm" striped verticalSpacing={4} data-testid="audit-log">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Who</Table.Th>
              <Table.Th>Profile</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Target</Table.Th>
              <Table.Th ta="right">Items</Table.Th>
              <Table.Th>Outcome</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {log.data.map((row) => (
              <Table.Tr key={row.id} data-testid="audit-row" data-action={row.action}>
                <Table.Td>
                  <Tooltip label={formatIsoAbsolute(row.at)} openDelay={300}>
                    <Text span size="sm">
                      {formatAgo(row.at, now)}
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" truncate maw={180}>
                    {row.osUser}@{row.host}
                  </Text>
                </Table.Td>
                <Table.Td>{row.profile}</Table.Td>
                <Table.Td ff="monospace">
                  {row.action}
                  {row.dryRun && (
                    <Badge ml={6} size="xs" variant="outline" color="gray">
                      dry run
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td maw={260}>
                  <Text size="sm" ff="monospace" truncate>
                    {row.target || "—"}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">{formatCount(row.itemCount)}</Table.Td>
                <Table.Td maw={280}>
                  <Text size="sm" c={outcomeColor(row.outcome)} lineClamp={2}>
                    {row.outcome}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );

  return (
    <Stack gap="sm" data-testid="audit-panel">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          This machine's log, latest {LIMIT}
        </Text>
        <Group gap="xs">
          <Button
            size="compact-sm"
            variant="default"
            loading={log.isFetching && !log.isPending}
            onClick={() => log.refetch()}
          >
            Refresh
          </Button>
          <Button
            size="compact-sm"
            variant="light"
            loading={exportCsv.isPending}
            disabled={!log.data || log.data.length === 0}
            onClick={() => exportCsv.mutate()}
            data-testid="audit-export"
          >
            Export CSV
          </Button>
        </Group>
      </Group>
      {exportCsv.isError && <ErrorAlert error={exportCsv.error} />}
      {body}
    </Stack>
  );
}
