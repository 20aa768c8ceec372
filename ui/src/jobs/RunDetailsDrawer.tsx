// One run's details: status, trigger, who and where, times, counts, summary, error, the sample
// keys of a cleanup, and the core's detail as JSON.
import { Alert, Badge, Code, Drawer, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import type { JobRunRecord } from "../ipc/bindings";
import { Fact } from "../layout/Fact";
import { formatIsoAbsolute } from "../reports/reportFormat";
import { formatRunDuration, runStatusColor, sampleKeys, triggerLabel } from "./jobFormat";
import { RunCounts } from "./RunCounts";

export function RunDetailsDrawer({
  run,
  onClose,
}: {
  run: JobRunRecord | null;
  onClose: () => void;
}) {
  const sample = run ? sampleKeys(run.detail) : [];
  return (
    <Drawer
      opened={run !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={
        run && (
          <Group gap="xs">
            <Text fw={600}>
              {run.job} · run #{run.id}
            </Text>
            <Badge variant="light" color={runStatusColor(run.status)}>
              {run.status}
            </Badge>
          </Group>
        )
      }
    >
      {run && (
        <Stack gap="md" data-testid="job-run-details" data-run={run.id}>
          <SimpleGrid cols={2} spacing="sm">
            <Fact label="Trigger">{triggerLabel(run)}</Fact>
            <Fact label="Profile">{run.profile}</Fact>
            <Fact label="User and host">
              {run.osUser}@{run.host}
            </Fact>
            <Fact label="Duration">{formatRunDuration(run.durationMs)}</Fact>
            <Fact label="Started">{formatIsoAbsolute(run.startedAt)}</Fact>
            <Fact label="Finished">
              {run.finishedAt ? formatIsoAbsolute(run.finishedAt) : "still running"}
            </Fact>
            {run.scheduledFor && (
              <Fact label="Scheduled for">{formatIsoAbsolute(run.scheduledFor)}</Fact>
            )}
          </SimpleGrid>
          <Fact label="Summary">{run.summary || "—"}</Fact>
          {run.error && (
            <Alert color="red" variant="light" title="Error">
              <Text size="sm">{run.error}</Text>
            </Alert>
          )}
          <RunCounts counts={run.counts} />
          {sample.length > 0 && (
            <Fact label={run.dryRun ? "First keys it would delete" : "First keys deleted"}>
              <Code block>{sample.join("\n")}</Code>
            </Fact>
          )}
          {run.detail !== null && run.detail !== undefined && (
            <Fact label="Detail">
              <Code block style={{ maxHeight: 360, overflow: "auto" }}>
                {JSON.stringify(run.detail, null, 2)}
              </Code>
            </Fact>
          )}
        </Stack>
      )}
    </Drawer>
  );
}
