// Running a job by hand, in the steps of runFlow: the user id (invalidate-user), the dry run with
// its summary, counts and sample keys, the confirmation of a destructive run (the job's name
// typed, which the core checks again), then the run with progress and Cancel, and its outcome.
// Mounted while open: each opening starts afresh.
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useReducer, useRef, useState } from "react";
import { useCancelOperation } from "../events/useCancelOperation";
import { useOperationProgress } from "../events/useOperationProgress";
import { OperationProgress } from "../feedback/OperationProgress";
import { ErrorAlert } from "../feedback/QueryStates";
import type { JobRunRecord, JobView, ProfileView } from "../ipc/bindings";
import { runJob } from "../ipc/commands";
import { IpcError } from "../ipc/errors";
import { queryKeys } from "../ipc/queryKeys";
import { dryRunFoundWork, familyShares, runStatusColor, sampleKeys } from "./jobFormat";
import { RunCounts } from "./RunCounts";
import {
  busyOperation,
  checkUserId,
  confirms,
  describeJobProgress,
  describeOutcome,
  pendingCall,
  type RunMode,
  runFlowReducer,
  startRunFlow,
} from "./runFlow";

/** A sweep's share of each family it would delete, against the circuit breaker. */
function FamilyShares({ run }: { run: JobRunRecord }) {
  const families = familyShares(run.detail);
  if (families.length === 0) return null;
  return (
    <Table withTableBorder fz="sm" data-testid="job-run-families">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Family</Table.Th>
          <Table.Th ta="right">Keys</Table.Th>
          <Table.Th ta="right">{run.dryRun ? "Would delete" : "Chosen"}</Table.Th>
          <Table.Th ta="right">Share</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {families.map((f) => (
          <Table.Tr key={f.family} data-over-limit={f.overLimit}>
            <Table.Td>
              <Code>{f.family}</Code>
            </Table.Td>
            <Table.Td ta="right">{f.matched}</Table.Td>
            <Table.Td ta="right">{f.toDelete}</Table.Td>
            <Table.Td ta="right" c={f.overLimit ? "red" : undefined}>
              {f.percent.toFixed(1)}%{f.overLimit ? " (over the limit)" : ""}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RunOutcome({ run, testId }: { run: JobRunRecord; testId: string }) {
  const sample = sampleKeys(run.detail);
  return (
    <Stack gap="sm" data-testid={testId} data-status={run.status} data-dry-run={run.dryRun}>
      <Alert color={runStatusColor(run.status)} variant="light">
        <Text size="sm">{describeOutcome(run)}</Text>
        {run.error && run.error !== run.summary.replace(/^failed: /, "") && (
          <Text size="sm" mt={4} c="red">
            {run.error}
          </Text>
        )}
      </Alert>
      <RunCounts counts={run.counts} />
      <FamilyShares run={run} />
      {sample.length > 0 && (
        <Stack gap={4} data-testid="job-run-sample">
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {run.dryRun ? "First keys it would delete" : "First keys deleted"}
          </Text>
          <Code block style={{ maxHeight: 180, overflow: "auto" }}>
            {sample.join("\n")}
          </Code>
        </Stack>
      )}
    </Stack>
  );
}

export function RunJobModal({
  profile,
  job,
  mode,
  onClose,
}: {
  profile: ProfileView;
  job: JobView;
  mode: RunMode;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [flow, dispatch] = useReducer(runFlowReducer, undefined, () =>
    startRunFlow(job, mode, crypto.randomUUID()),
  );
  const [userText, setUserText] = useState("");
  const [typedName, setTypedName] = useState("");
  const [userError, setUserError] = useState<string | null>(null);
  const [overrideShareLimit, setOverrideShareLimit] = useState(false);
  const operationId = busyOperation(flow);
  const progress = useOperationProgress(operationId);
  const cancel = useCancelOperation();

  // Calls the core once for every dry run or run step entered.
  const called = useRef<string | null>(null);
  const resetCancel = cancel.reset;
  useEffect(() => {
    const call = pendingCall(flow);
    if (call === null || called.current === call.operationId) return;
    called.current = call.operationId;
    resetCancel();
    const wasDryRunStep = flow.state.step === "dryRun";
    runJob({ profile: profile.name, job: job.name, ...call })
      .then((record) =>
        dispatch(wasDryRunStep ? { type: "dryRunDone", record } : { type: "runDone", record }),
      )
      .catch((error: unknown) => dispatch({ type: "failed", error }))
      .finally(() => {
        void queryClient.invalidateQueries({ queryKey: queryKeys.jobs(profile.name) });
        void queryClient.invalidateQueries({ queryKey: queryKeys.auditAll() });
      });
  }, [flow, profile.name, job.name, queryClient, resetCancel]);

  const busy = operationId !== null;
  const close = () => {
    if (!busy) onClose();
  };
  const { state } = flow;
  const title = `${mode === "dryRun" ? "Dry run of" : "Run"} ${job.name}`;

  let body: ReactNode;
  switch (state.step) {
    case "userId":
      body = (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const problem = checkUserId(userText);
            setUserError(problem);
            if (problem === null)
              dispatch({ type: "submitUser", userId: userText, operationId: crypto.randomUUID() });
          }}
        >
          <Stack gap="md">
            <Text size="sm">
              Deletes the user's list and aggregate keys and everything under{" "}
              <Code>user:{"{id}"}:</Code>. A dry run shows what would go first.
            </Text>
            <TextInput
              label="User id"
              placeholder="e.g. 42"
              value={userText}
              onChange={(event) => setUserText(event.currentTarget.value)}
              error={userError}
              data-autofocus
              data-testid="job-user-id"
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" data-testid="job-user-submit">
                Dry run
              </Button>
            </Group>
          </Stack>
        </form>
      );
      break;
    case "dryRun":
    case "running":
      body = (
        <Stack gap="xs">
          <Text size="sm" c="dimmed">
            {state.step === "dryRun" || flow.mode === "dryRun"
              ? "Dry run: nothing is deleted or written."
              : `Running ${job.name}${flow.userId ? ` for user ${flow.userId}` : ""}…`}
          </Text>
          <OperationProgress
            update={progress}
            view={describeJobProgress(progress)}
            cancelling={cancel.isPending || cancel.isSuccess}
            cancelError={cancel.error}
            onCancel={() => cancel.mutate(state.operationId)}
            testId="job-run-progress"
            cancelTestId="job-run-cancel"
            compact
          />
        </Stack>
      );
      break;
    case "preview": {
      const work = dryRunFoundWork(state.dryRun);
      body = (
        <Stack gap="md">
          <Text fw={600}>Dry run: what a real run would do</Text>
          <RunOutcome run={state.dryRun} testId="job-dry-run" />
          {profile.readOnly && (
            <Alert color="gray" variant="light" data-testid="job-read-only">
              This profile is read-only: the core refuses a real run.
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} data-testid="job-run-close">
              {work ? "Cancel" : "Close"}
            </Button>
            {work && !profile.readOnly && (
              <Button
                color="red"
                onClick={() => dispatch({ type: "proceed" })}
                data-testid="job-run-proceed"
              >
                Continue…
              </Button>
            )}
          </Group>
        </Stack>
      );
      break;
    }
    case "confirm": {
      const overLimit = familyShares(state.dryRun.detail).some((f) => f.overLimit);
      body = (
        <Stack gap="md" data-testid="job-run-confirm">
          <Text size="sm">
            Run <b>{job.name}</b>
            {flow.userId && (
              <>
                {" "}
                for user <Code>{flow.userId}</Code>
              </>
            )}{" "}
            on profile <b>{profile.name}</b> for real? This cannot be undone.
          </Text>
          <Text size="sm" c="dimmed" data-testid="job-run-confirm-summary">
            The dry run found: {state.dryRun.summary}
          </Text>
          {profile.production && (
            <Alert color="red" variant="light" title="Production profile">
              This deletes data readers of the production namespace or database rely on.
            </Alert>
          )}
          {overLimit && (
            <Alert color="red" variant="light" title="Over the sweep's share limit">
              <Stack gap="xs">
                <Text size="sm">
                  The dry run would delete more of a key family than the sweep's maxDeletePercent
                  allows, so the core stops such a run before deleting anything. A wrong
                  existingIdsSql looks exactly like this: check the families above first.
                </Text>
                <Checkbox
                  label="Delete past the limit (recorded in the audit)"
                  checked={overrideShareLimit}
                  onChange={(event) => setOverrideShareLimit(event.currentTarget.checked)}
                  data-testid="job-run-override-share-limit"
                />
              </Stack>
            </Alert>
          )}
          <form
            onSubmit={(event) => {
              event.preventDefault();
              if (confirms(job, typedName) && !(overLimit && !overrideShareLimit))
                dispatch({
                  type: "confirm",
                  operationId: crypto.randomUUID(),
                  confirmation: typedName,
                  overrideShareLimit: overLimit && overrideShareLimit,
                });
            }}
          >
            <Stack gap="md">
              <TextInput
                label={
                  <>
                    Type <Code>{job.name}</Code> to confirm
                  </>
                }
                value={typedName}
                onChange={(event) => setTypedName(event.currentTarget.value)}
                autoComplete="off"
                spellCheck={false}
                data-autofocus
                data-testid="job-run-confirm-name"
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => dispatch({ type: "back" })}>
                  Cancel
                </Button>
                <Button
                  type="submit"
                  color="red"
                  disabled={!confirms(job, typedName) || (overLimit && !overrideShareLimit)}
                  data-testid="job-run-submit"
                >
                  Run {job.name}
                </Button>
              </Group>
            </Stack>
          </form>
        </Stack>
      );
      break;
    }
    case "done":
      body = (
        <Stack gap="md">
          <Group gap="xs">
            <Text fw={600}>{state.record.dryRun ? "Dry run finished" : "Run finished"}</Text>
            <Badge variant="light" color={runStatusColor(state.record.status)}>
              {state.record.status}
            </Badge>
            <Text size="xs" c="dimmed">
              run #{state.record.id}
            </Text>
          </Group>
          <RunOutcome run={state.record} testId="job-run-result" />
          <Group justify="flex-end">
            <Button onClick={onClose} data-testid="job-run-close">
              Done
            </Button>
          </Group>
        </Stack>
      );
      break;
    case "failed": {
      const cancelled = state.error instanceof IpcError && state.error.code === "cancelled";
      body = (
        <Stack
          gap="md"
          data-testid="job-run-error"
          data-error={state.error instanceof IpcError ? state.error.code : "internal"}
        >
          {cancelled ? (
            <Alert color="yellow" variant="light">
              {state.during === "dryRun" ? "Dry run cancelled." : "Run cancelled."}
            </Alert>
          ) : (
            <ErrorAlert error={state.error} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} data-testid="job-run-close">
              Close
            </Button>
          </Group>
        </Stack>
      );
      break;
    }
  }

  return (
    <Modal
      opened
      onClose={close}
      closeOnClickOutside={!busy}
      closeOnEscape={!busy}
      withCloseButton={!busy}
      title={<Text fw={600}>{title}</Text>}
      size="lg"
    >
      <div data-testid="job-run-modal" data-job={job.name} data-step={state.step}>
        {body}
      </div>
    </Modal>
  );
}
