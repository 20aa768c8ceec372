// The Jobs screen of one profile: the jobs table (run, enable, pause, schedule, options), the run
// history with details, and the profile's audit log. Jobs keep their settings and history in the
// profile's Postgres; without one the screen explains how to add it. Mounted per profile.
import { Alert, Badge, Button, Group, Stack, Tabs, Text, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { EmptyState, ErrorAlert, LoadingState } from "../feedback/QueryStates";
import type { JobName, JobView, ProfileView } from "../ipc/bindings";
import { listJobs, schedulerStatus } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { AuditPanel } from "./AuditPanel";
import { EnableJobModal } from "./EnableJobModal";
import { HistoryPanel } from "./HistoryPanel";
import { type JobAction, JobsTable } from "./JobsTable";
import { schedulerLine } from "./notices";
import { OptionsModal } from "./OptionsModal";
import { QuotaPlanModal } from "./QuotaPlanModal";
import { RunJobModal } from "./RunJobModal";
import { ScheduleModal } from "./ScheduleModal";
import { useJobFailureNotice } from "./useJobFailureNotice";

type Tab = "jobs" | "history" | "audit";

function SchedulerBadge({ profile }: { profile: string }) {
  const status = useQuery({
    queryKey: queryKeys.scheduler(),
    queryFn: schedulerStatus,
    refetchInterval: 30_000,
    staleTime: 0,
  });
  if (!status.data) return null;
  const line = schedulerLine(status.data, profile);
  return (
    <Tooltip
      label={line.detail ?? "This app runs scheduled jobs of the default profile while it is open"}
      multiline
      w={360}
    >
      <Badge
        variant="light"
        color={line.color}
        data-testid="scheduler-status"
        data-state={status.data.state}
      >
        {line.text}
      </Badge>
    </Tooltip>
  );
}

function NoPostgres({ message, onOpenProfiles }: { message: string; onOpenProfiles: () => void }) {
  return (
    <Stack h="100%" justify="center" align="center" gap="xs" data-testid="jobs-no-postgres">
      <EmptyState
        title="Jobs need a Postgres database"
        description="Jobs keep their schedules, options and history in the profile's Postgres and read their data from it. Add a Postgres URL to this profile to use them."
      />
      <Text size="xs" c="dimmed" maw={460} ta="center">
        {message}
      </Text>
      <Button variant="light" onClick={onOpenProfiles}>
        Go to Profiles
      </Button>
    </Stack>
  );
}

export function JobsScreen({
  profile,
  onOpenProfiles,
}: {
  profile: ProfileView;
  onOpenProfiles: () => void;
}) {
  useJobFailureNotice();
  const [tab, setTab] = useState<Tab>("jobs");
  const [historyJob, setHistoryJob] = useState<JobName | null>(null);
  const [planOpen, setPlanOpen] = useState(false);
  const [dialog, setDialog] = useState<{ job: JobView; action: JobAction } | null>(null);
  const jobs = useQuery({
    queryKey: queryKeys.jobList(profile.name),
    queryFn: () => listJobs({ profile: profile.name }),
    // Next runs and runs on other consoles move on by themselves.
    refetchInterval: 30_000,
  });

  const onAction = (job: JobView, action: JobAction) => {
    if (action.kind === "history") {
      setHistoryJob(job.name);
      setTab("history");
    } else setDialog({ job, action });
  };

  let table: ReactNode;
  if (jobs.isPending) table = <LoadingState label="Loading jobs…" />;
  else if (jobs.isError) {
    const noPostgres =
      profile.postgresUrl === null ||
      (jobs.error instanceof Error && /no Postgres/i.test(jobs.error.message));
    table = noPostgres ? (
      <NoPostgres message={jobs.error.message} onOpenProfiles={onOpenProfiles} />
    ) : (
      <ErrorAlert error={jobs.error} onRetry={() => jobs.refetch()} />
    );
  } else if (jobs.data.length === 0)
    table = <EmptyState title="No jobs" description="This version of Cachescope knows no jobs." />;
  else table = <JobsTable profile={profile} jobs={jobs.data} onAction={onAction} />;

  const names = jobs.data?.map((j) => j.name) ?? [];
  // A dialog's job as the table shows it now (state changes while it is open).
  const dialogJob = dialog
    ? (jobs.data?.find((j) => j.name === dialog.job.name) ?? dialog.job)
    : null;

  return (
    <Stack h="100%" gap="sm" data-testid="jobs-screen" data-profile={profile.name}>
      <Group justify="space-between" gap="xs">
        <Group gap="xs">
          <Text fw={600}>Jobs</Text>
          <SchedulerBadge profile={profile.name} />
        </Group>
        <Group gap="xs">
          <Button
            size="xs"
            variant="default"
            onClick={() => setPlanOpen(true)}
            disabled={profile.postgresUrl === null}
            data-testid="quota-plan-open"
          >
            Quota plan
          </Button>
          <Button
            size="xs"
            variant="subtle"
            onClick={() => jobs.refetch()}
            loading={jobs.isFetching && !jobs.isPending}
            data-testid="jobs-refresh"
          >
            Refresh
          </Button>
        </Group>
      </Group>
      {planOpen && <QuotaPlanModal profile={profile.name} onClose={() => setPlanOpen(false)} />}
      {profile.readOnly && (
        <Alert color="gray" variant="light" p="xs" data-testid="jobs-read-only">
          <Text size="sm">
            This profile is read-only: jobs can only be dry-run here, and the core refuses real
            runs.
          </Text>
        </Alert>
      )}
      <Tabs
        value={tab}
        onChange={(value) => setTab((value as Tab | null) ?? "jobs")}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="jobs" data-testid="jobs-tab">
            Jobs
          </Tabs.Tab>
          <Tabs.Tab value="history" data-testid="jobs-history-tab">
            History
          </Tabs.Tab>
          <Tabs.Tab value="audit" data-testid="jobs-audit-tab">
            Audit
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="jobs" pt="sm">
          {table}
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="sm">
          {jobs.isError ? (
            table
          ) : (
            <HistoryPanel
              profile={profile.name}
              jobs={names}
              job={historyJob}
              onJobChange={setHistoryJob}
            />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="audit" pt="sm">
          <AuditPanel profile={profile.name} />
        </Tabs.Panel>
      </Tabs>
      {dialog && dialogJob && dialog.action.kind === "run" && (
        <RunJobModal
          profile={profile}
          job={dialogJob}
          mode={dialog.action.mode}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog && dialogJob && dialog.action.kind === "enable" && (
        <EnableJobModal profile={profile} job={dialogJob} onClose={() => setDialog(null)} />
      )}
      {dialog && dialogJob && dialog.action.kind === "schedule" && (
        <ScheduleModal profile={profile} job={dialogJob} onClose={() => setDialog(null)} />
      )}
      {dialog && dialogJob && dialog.action.kind === "options" && (
        <OptionsModal profile={profile} job={dialogJob} onClose={() => setDialog(null)} />
      )}
    </Stack>
  );
}
