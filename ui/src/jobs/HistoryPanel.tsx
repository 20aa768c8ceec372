// Run history of one job or all: status, trigger, who ran it where, start, duration, counts and
// error; a row opens the run's details.
import { Badge, Button, Group, Select, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { EmptyState, ErrorAlert, LoadingState } from "../feedback/QueryStates";
import type { JobName, JobRunRecord } from "../ipc/bindings";
import { jobHistory } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { useNow } from "../keys/useNow";
import { formatAgo, formatIsoAbsolute } from "../reports/reportFormat";
import { countsInline, formatRunDuration, runStatusColor, triggerLabel } from "./jobFormat";
import { RunDetailsDrawer } from "./RunDetailsDrawer";

const LIMIT = 100;

export function HistoryPanel({
  profile,
  jobs,
  job,
  onJobChange,
}: {
  profile: string;
  jobs: JobName[];
  job: JobName | null;
  onJobChange: (job: JobName | null) => void;
}) {
  const history = useQuery({
    queryKey: queryKeys.jobHistory(profile, job),
    queryFn: () => jobHistory({ profile, job, limit: LIMIT }),
    staleTime: 0,
  });
  const [open, setOpen] = useState<JobRunRecord | null>(null);
  const now = useNow(15_000);

  let body: ReactNode;
  if (history.isPending) body = <LoadingState label="Loading run history…" />;
  else if (history.isError)
    body = <ErrorAlert error={history.error} onRetry={() => history.refetch()} />;
  else if (history.data.length === 0)
    body = (
      <EmptyState
        title={job ? `No run of ${job} yet` : "No job run yet"}
        description="Runs by hand and on schedule, from this app, the CLI or a daemon, are listed here."
      />
    );
  else
    body = (
      <Table.ScrollContainer minWidth={900} type="native">
        <Table fz="sm" striped highlightOnHover verticalSpacing={4} data-testid="job-history">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Status</Table.Th>
              <Table.Th>Job</Table.Th>
              <Table.Th>Trigger</Table.Th>
              <Table.Th>Where</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th ta="right">Took</Table.Th>
              <Table.Th>Counts / error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {history.data.map((run) => (
              <Table.Tr
                key={run.id}
                onClick={() => setOpen(run)}
                style={{ cursor: "pointer" }}
                data-testid="job-history-row"
                data-job={run.job}
                data-status={run.status}
                data-dry-run={run.dryRun}
              >
                <Table.Td>
                  <Badge size="sm" variant="light" color={runStatusColor(run.status)}>
                    {run.status}
                  </Badge>
                </Table.Td>
                <Table.Td ff="monospace">{run.job}</Table.Td>
                <Table.Td>{triggerLabel(run)}</Table.Td>
                <Table.Td>
                  <Text size="sm" truncate maw={180}>
                    {run.osUser}@{run.host}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Tooltip label={formatIsoAbsolute(run.startedAt)} openDelay={300}>
                    <Text span size="sm">
                      {formatAgo(run.startedAt, now)}
                    </Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td ta="right">{formatRunDuration(run.durationMs)}</Table.Td>
                <Table.Td maw={380}>
                  {run.error ? (
                    <Text size="xs" c="red" lineClamp={2}>
                      {run.error}
                    </Text>
                  ) : (
                    <Text size="xs" c="dimmed" lineClamp={2}>
                      {countsInline(run.counts) || run.summary}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );

  return (
    <Stack gap="sm" data-testid="job-history-panel">
      <Group justify="space-between">
        <Select
          size="xs"
          w={240}
          aria-label="Job"
          data={[{ value: "", label: "All jobs" }, ...jobs.map((j) => ({ value: j, label: j }))]}
          value={job ?? ""}
          onChange={(value) => onJobChange(value ? (value as JobName) : null)}
          allowDeselect={false}
          data-testid="job-history-filter"
        />
        <Group gap="xs">
          <Text size="xs" c="dimmed">
            latest {LIMIT}
          </Text>
          <Button
            size="compact-sm"
            variant="default"
            loading={history.isFetching && !history.isPending}
            onClick={() => history.refetch()}
          >
            Refresh
          </Button>
        </Group>
      </Group>
      {body}
      <RunDetailsDrawer run={open} onClose={() => setOpen(null)} />
    </Stack>
  );
}
