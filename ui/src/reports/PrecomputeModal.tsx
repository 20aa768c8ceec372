// Precompute in steps: a dry run first (per report, how many keys would be written and why), then
// the real run on confirmation, with progress and Cancel, and its outcome. A read-only profile's
// refusal comes from the core and is shown inline. Mounted while open: each opening starts afresh.
import { Alert, Badge, Button, Group, Modal, Stack, Table, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { useCancelOperation } from "../events/useCancelOperation";
import { useOperationProgress } from "../events/useOperationProgress";
import { ErrorAlert } from "../feedback/QueryStates";
import { formatBytes } from "../format/bytes";
import { countNoun, formatCount } from "../format/count";
import type { PrecomputeRun, ProfileView } from "../ipc/bindings";
import { precomputeReports } from "../ipc/commands";
import { IpcError } from "../ipc/errors";
import { queryKeys } from "../ipc/queryKeys";
import { OperationProgress } from "./OperationProgress";
import {
  describeDryRun,
  describeReasons,
  describeRun,
  keysToWrite,
  reportPlans,
  statusColor,
} from "./runSummary";

function PlanTable({ run, testId }: { run: PrecomputeRun; testId: string }) {
  const plans = reportPlans(run);
  return (
    <Table.ScrollContainer minWidth={520} maxHeight={320} type="native">
      <Table fz="sm" verticalSpacing={4} stickyHeader data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Report</Table.Th>
            <Table.Th ta="right">{run.dryRun ? "Would write" : "Written"}</Table.Th>
            <Table.Th>Why</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {plans.map((plan) => {
            const report = run.reports.find((r) => r.name === plan.name);
            const written = run.dryRun ? plan.toWrite : (report?.written ?? 0);
            return (
              <Table.Tr
                key={plan.name}
                data-testid="precompute-plan-row"
                data-report={plan.name}
                data-writes={written}
                data-failed={plan.error ? true : undefined}
              >
                <Table.Td ff="monospace">{plan.name}</Table.Td>
                <Table.Td ta="right">
                  {plan.error ? "—" : `${formatCount(written)} of ${formatCount(plan.total)}`}
                </Table.Td>
                <Table.Td>
                  {plan.error ? (
                    <Text size="sm" c="red">
                      {plan.error}
                    </Text>
                  ) : (
                    <Text size="sm">
                      {describeReasons(plan.counts)}
                      {plan.toWrite > 0 && (
                        <Text span c="dimmed" size="sm">
                          {" "}
                          · {formatBytes(plan.bytesToWrite)}
                        </Text>
                      )}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function PrecomputeModal({
  profile,
  reports,
  title,
  onClose,
}: {
  profile: ProfileView;
  /** Report names; every report when empty. */
  reports: string[];
  title: string;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [dryRunId, setDryRunId] = useState(() => crypto.randomUUID());
  const [runId] = useState(() => crypto.randomUUID());
  const dryRun = useMutation({
    mutationFn: (operationId: string) =>
      precomputeReports({ profile: profile.name, reports, dryRun: true, operationId }),
    onSettled: () =>
      queryClient.invalidateQueries({ queryKey: queryKeys.precomputeRuns(profile.name) }),
  });
  const run = useMutation({
    mutationFn: () =>
      precomputeReports({ profile: profile.name, reports, dryRun: false, operationId: runId }),
    // The keysChanged event refreshes reports when something was written; "last checked"
    // changes even when nothing was.
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.reports(profile.name) }),
  });
  const cancelDryRun = useCancelOperation();
  const cancelRun = useCancelOperation();
  const dryRunProgress = useOperationProgress(dryRunId);
  const runProgress = useOperationProgress(runId);

  const started = useRef(false);
  const startDryRun = dryRun.mutate;
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    startDryRun(dryRunId);
  }, [startDryRun, dryRunId]);

  const retryDryRun = () => {
    const id = crypto.randomUUID();
    setDryRunId(id);
    cancelDryRun.reset();
    dryRun.mutate(id);
  };

  const busy = dryRun.isPending || run.isPending;
  const close = () => {
    if (!busy) onClose();
  };

  let body: ReactNode;
  if (!run.isIdle) {
    if (run.isPending) {
      body = (
        <OperationProgress
          update={runProgress}
          cancelling={cancelRun.isPending || cancelRun.isSuccess}
          cancelError={cancelRun.error}
          onCancel={() => cancelRun.mutate(runId)}
          testId="precompute-progress"
        />
      );
    } else {
      const result = run.data;
      body = (
        <Stack gap="md">
          {result ? (
            <>
              <Alert
                color={statusColor(result.status)}
                variant="light"
                data-testid="precompute-result"
                data-status={result.status}
                data-written={result.written}
              >
                {describeRun(result)}
                {result.error && (
                  <Text size="sm" mt={4}>
                    {result.error}
                  </Text>
                )}
              </Alert>
              <PlanTable run={result} testId="precompute-result-table" />
            </>
          ) : (
            <Stack
              gap="xs"
              data-testid="precompute-result"
              data-error={run.error instanceof IpcError ? run.error.code : "internal"}
            >
              <ErrorAlert error={run.error} />
            </Stack>
          )}
          <Group justify="flex-end">
            <Button onClick={onClose} data-testid="precompute-close">
              Done
            </Button>
          </Group>
        </Stack>
      );
    }
  } else if (dryRun.isPending || dryRun.isIdle) {
    body = (
      <Stack gap="xs">
        <Text size="sm" c="dimmed">
          Dry run: computing from Postgres and comparing with KV. Nothing is written.
        </Text>
        <OperationProgress
          update={dryRunProgress}
          cancelling={cancelDryRun.isPending || cancelDryRun.isSuccess}
          cancelError={cancelDryRun.error}
          onCancel={() => cancelDryRun.mutate(dryRunId)}
          testId="precompute-dry-run-progress"
        />
      </Stack>
    );
  } else if (dryRun.isError) {
    const cancelled = dryRun.error instanceof IpcError && dryRun.error.code === "cancelled";
    body = (
      <Stack gap="md" data-testid="precompute-dry-run-error">
        {cancelled ? (
          <Alert color="yellow" variant="light">
            Dry run cancelled.
          </Alert>
        ) : (
          <ErrorAlert error={dryRun.error} />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button variant="light" onClick={retryDryRun}>
            Run the dry run again
          </Button>
        </Group>
      </Stack>
    );
  } else {
    const result = dryRun.data;
    const writes = keysToWrite(result);
    body = (
      <Stack gap="md">
        <Group gap="xs">
          <Text fw={600} data-testid="precompute-dry-run" data-writes={writes}>
            {describeDryRun(result)}
          </Text>
          {result.status !== "succeeded" && (
            <Badge color={statusColor(result.status)} variant="light">
              {result.status}
            </Badge>
          )}
        </Group>
        {result.error && <ErrorAlert error={new IpcError("internal", result.error)} />}
        <PlanTable run={result} testId="precompute-plan" />
        <Text size="xs" c="dimmed">
          new: not in KV · changed: other content · expiring: same content, under a quarter of its
          TTL left · unchanged: skipped (Cloudflare's free plan allows 1,000 writes a day)
        </Text>
        {profile.readOnly && writes > 0 && (
          <Alert color="gray" variant="light" data-testid="precompute-read-only">
            This profile is read-only: the core will refuse the write.
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="precompute-close">
            {writes > 0 ? "Cancel" : "Close"}
          </Button>
          {writes > 0 && (
            <Button
              color={profile.production ? "red" : "blue"}
              onClick={() => run.mutate()}
              data-testid="precompute-submit"
            >
              Write {countNoun(writes, "key")}
            </Button>
          )}
        </Group>
      </Stack>
    );
  }

  return (
    <Modal
      opened
      onClose={close}
      closeOnClickOutside={!busy}
      closeOnEscape={!busy}
      withCloseButton={!busy}
      title={<Text fw={600}>{title}</Text>}
      size="xl"
    >
      <div data-testid="precompute-modal">{body}</div>
    </Modal>
  );
}
