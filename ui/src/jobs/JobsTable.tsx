// The jobs table: each job with its schedule in words, state, next run and last run, and its
// actions (run now or dry run, enable/disable a destructive job's schedule, pause/resume,
// schedule, options, history). A run this console's
// scheduler is doing shows its progress with Cancel.
import { Badge, Button, Group, Menu, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCancelOperation } from "../events/useCancelOperation";
import { useOperationProgress } from "../events/useOperationProgress";
import { OperationProgress } from "../feedback/OperationProgress";
import type { JobName, JobView, ProfileView } from "../ipc/bindings";
import { setJobEnabled, setJobPaused } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { useNow } from "../keys/useNow";
import { formatAgo, formatIsoAbsolute } from "../reports/reportFormat";
import {
  formatRunDuration,
  jobState,
  jobStateColor,
  jobStateLabel,
  runStatusColor,
  scheduleText,
} from "./jobFormat";
import { describeJobProgress, type RunMode } from "./runFlow";

export type JobAction =
  | { kind: "run"; mode: RunMode }
  | { kind: "enable" }
  | { kind: "schedule" }
  | { kind: "options" }
  | { kind: "history" };

/** The operation id the core's scheduler gives a scheduled run of `job`. */
export const scheduledOperation = (job: JobName) => `job:${job}`;

function ScheduledRunProgress({ job }: { job: JobView }) {
  const operationId = scheduledOperation(job.name);
  const update = useOperationProgress(operationId);
  const cancel = useCancelOperation();
  // Progress reaches this window only when this console runs it; otherwise say where it runs.
  if (update === null)
    return (
      <Text size="xs" c="dimmed">
        {job.running ? `on ${job.running.host}` : ""}
      </Text>
    );
  return (
    <OperationProgress
      update={update}
      view={describeJobProgress(update)}
      cancelling={cancel.isPending || cancel.isSuccess}
      cancelError={cancel.error}
      onCancel={() => cancel.mutate(operationId)}
      testId="job-scheduled-progress"
      cancelTestId="job-scheduled-cancel"
      compact
    />
  );
}

function JobRow({
  profile,
  job,
  now,
  onAction,
}: {
  profile: ProfileView;
  job: JobView;
  now: number;
  onAction: (job: JobView, action: JobAction) => void;
}) {
  const queryClient = useQueryClient();
  const pause = useMutation({
    mutationFn: (paused: boolean) => setJobPaused({ profile: profile.name, job: job.name, paused }),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs(profile.name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.scheduler() });
    },
  });
  const disable = useMutation({
    mutationFn: () =>
      setJobEnabled({ profile: profile.name, job: job.name, enabled: false, confirmation: null }),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs(profile.name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.scheduler() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.auditAll() });
    },
  });
  const state = jobState(job);
  const last = job.lastRun;
  const readOnly = profile.readOnly;

  return (
    <Table.Tr data-testid="job-row" data-job={job.name} data-state={state}>
      <Table.Td maw={300}>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" ff="monospace" fw={600}>
            {job.name}
          </Text>
          {job.destructive && (
            <Badge size="xs" variant="outline" color="red">
              deletes
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed">
          {job.description}
        </Text>
      </Table.Td>
      <Table.Td>
        <Tooltip label={job.schedule ?? "no cron expression"} openDelay={300}>
          <Text size="sm" data-testid="job-schedule">
            {scheduleText(job)}
          </Text>
        </Tooltip>
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Badge variant="light" color={jobStateColor(state)} data-testid="job-state">
            {jobStateLabel(state)}
          </Badge>
          {state === "running" && <ScheduledRunProgress job={job} />}
          {pause.isError && (
            <Text size="xs" c="red">
              {pause.error instanceof Error ? pause.error.message : "Could not change the pause"}
            </Text>
          )}
          {disable.isError && (
            <Text size="xs" c="red">
              {disable.error instanceof Error ? disable.error.message : "Could not disable it"}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        {job.nextRun ? (
          <Tooltip label={formatIsoAbsolute(job.nextRun)} openDelay={300}>
            <Text size="sm">{formatAgo(job.nextRun, now)}</Text>
          </Tooltip>
        ) : (
          <Text size="sm" c="dimmed">
            {job.schedule === null
              ? "—"
              : job.paused
                ? "paused"
                : state === "disabled"
                  ? "not enabled"
                  : "—"}
          </Text>
        )}
      </Table.Td>
      <Table.Td maw={320}>
        {last ? (
          <Stack gap={2} data-testid="job-last-run" data-status={last.status}>
            <Group gap={6}>
              <Badge size="sm" variant="light" color={runStatusColor(last.status)}>
                {last.status}
              </Badge>
              <Tooltip label={formatIsoAbsolute(last.startedAt)} openDelay={300}>
                <Text span size="xs" c="dimmed">
                  {formatAgo(last.startedAt, now)} · {formatRunDuration(last.durationMs)}
                </Text>
              </Tooltip>
            </Group>
            <Text size="xs" lineClamp={2} c={last.status === "failed" ? "red" : undefined}>
              {last.error ?? last.summary}
            </Text>
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            never
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={6} wrap="nowrap" justify="flex-end">
          {readOnly ? (
            <Button
              size="compact-sm"
              variant="light"
              onClick={() => onAction(job, { kind: "run", mode: "dryRun" })}
              data-testid="job-dry-run"
            >
              Dry run
            </Button>
          ) : (
            <Button
              size="compact-sm"
              variant="light"
              color={job.destructive ? "red" : "blue"}
              onClick={() => onAction(job, { kind: "run", mode: "run" })}
              data-testid="job-run-now"
            >
              {job.destructive || job.needsParameter ? "Run now…" : "Run now"}
            </Button>
          )}
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button size="compact-sm" variant="default" data-testid="job-more">
                More
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {!readOnly && (
                <Menu.Item onClick={() => onAction(job, { kind: "run", mode: "dryRun" })}>
                  Dry run
                </Menu.Item>
              )}
              {job.destructive && !job.needsParameter && !job.enabled && (
                <Menu.Item
                  disabled={readOnly}
                  onClick={() => onAction(job, { kind: "enable" })}
                  data-testid="job-enable"
                >
                  Enable schedule…
                </Menu.Item>
              )}
              {job.destructive && !job.needsParameter && job.enabled && (
                <Menu.Item
                  disabled={disable.isPending}
                  onClick={() => disable.mutate()}
                  data-testid="job-disable"
                >
                  Disable schedule
                </Menu.Item>
              )}
              <Menu.Item
                disabled={job.schedule === null || pause.isPending}
                onClick={() => pause.mutate(!job.paused)}
                data-testid="job-pause-toggle"
              >
                {job.paused ? "Resume schedule" : "Pause schedule"}
              </Menu.Item>
              <Menu.Item
                onClick={() => onAction(job, { kind: "schedule" })}
                data-testid="job-edit-schedule"
              >
                Edit schedule…
              </Menu.Item>
              <Menu.Item
                onClick={() => onAction(job, { kind: "options" })}
                data-testid="job-edit-options"
              >
                Edit options…
              </Menu.Item>
              <Menu.Divider />
              <Menu.Item onClick={() => onAction(job, { kind: "history" })}>History</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

export function JobsTable({
  profile,
  jobs,
  onAction,
}: {
  profile: ProfileView;
  jobs: JobView[];
  onAction: (job: JobView, action: JobAction) => void;
}) {
  const now = useNow(15_000);
  return (
    <Table.ScrollContainer minWidth={1000} type="native">
      <Table verticalSpacing="xs" striped data-testid="jobs-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Job</Table.Th>
            <Table.Th>Schedule</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Next run</Table.Th>
            <Table.Th>Last run</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((job) => (
            <JobRow key={job.name} profile={profile} job={job} now={now} onAction={onAction} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
