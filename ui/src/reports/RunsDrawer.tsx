// "Precompute history": the profile's latest runs (dry runs included), newest first.
import { Badge, Button, Drawer, Group, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { EmptyState, ErrorAlert, LoadingState } from "../feedback/QueryStates";
import { formatCount } from "../format/count";
import { listPrecomputeRuns } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { useNow } from "../keys/useNow";
import { formatAgo, formatIsoAbsolute } from "./reportFormat";
import { formatDurationMs, statusColor } from "./runSummary";

const LIMIT = 50;

export function RunsDrawer({
  profile,
  opened,
  onClose,
}: {
  profile: string;
  opened: boolean;
  onClose: () => void;
}) {
  const runs = useQuery({
    queryKey: queryKeys.precomputeRuns(profile),
    queryFn: () => listPrecomputeRuns({ profile, limit: LIMIT }),
    enabled: opened,
    staleTime: 0,
  });
  const now = useNow(15_000);
  let body: ReactNode;
  if (runs.isPending) body = <LoadingState label="Loading precompute runs…" />;
  else if (runs.isError) body = <ErrorAlert error={runs.error} onRetry={() => runs.refetch()} />;
  else if (runs.data.length === 0)
    body = (
      <EmptyState
        title="No precompute run yet"
        description="Runs of this profile (from the app, the CLI or a schedule) are listed here."
      />
    );
  else
    body = (
      <Table.ScrollContainer minWidth={640} type="native">
        <Table fz="sm" striped verticalSpacing={4} data-testid="precompute-runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th ta="right">Written</Table.Th>
              <Table.Th ta="right">Unchanged</Table.Th>
              <Table.Th ta="right">Failed reports</Table.Th>
              <Table.Th ta="right">Took</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.data.map((run) => (
              <Table.Tr key={run.id} data-testid="precompute-run" data-status={run.status}>
                <Table.Td>
                  <Tooltip label={formatIsoAbsolute(run.startedAt)} openDelay={300}>
                    <Text span size="sm">
                      {formatAgo(run.startedAt, now)}
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td>{run.dryRun ? "Dry run" : "Run"}</Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    <Badge size="sm" variant="light" color={statusColor(run.status)}>
                      {run.status}
                    </Badge>
                    {run.error && (
                      <Text size="xs" c="red">
                        {run.error}
                      </Text>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td ta="right">{formatCount(run.keysWritten)}</Table.Td>
                <Table.Td ta="right">{formatCount(run.keysSkipped)}</Table.Td>
                <Table.Td ta="right" c={run.reportsFailed > 0 ? "red" : undefined}>
                  {formatCount(run.reportsFailed)}
                </Table.Td>
                <Table.Td ta="right">{formatDurationMs(run.durationMs)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size="xl"
      title={
        <Group gap="xs">
          <Text fw={600}>Precompute history</Text>
          <Text c="dimmed" size="sm">
            {profile} · latest {LIMIT}
          </Text>
        </Group>
      }
    >
      <Stack gap="sm" data-testid="precompute-history">
        <Group justify="flex-end">
          <Button
            size="compact-sm"
            variant="default"
            loading={runs.isFetching && !runs.isPending}
            onClick={() => runs.refetch()}
          >
            Refresh
          </Button>
        </Group>
        {body}
      </Stack>
    </Drawer>
  );
}
