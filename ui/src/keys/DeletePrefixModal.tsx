// Delete every key under a prefix, in steps: a dry run (count and sample), a typed confirmation
// of the prefix, the run with live progress and Cancel, and its outcome. A read-only profile
// gets the dry run only. Mounted while open, so each opening starts a fresh dry run.
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { useCancelOperation } from "../events/useCancelOperation";
import { useOperationProgress } from "../events/useOperationProgress";
import { ErrorAlert } from "../feedback/QueryStates";
import { countNoun } from "../format/count";
import type { ProfileView } from "../ipc/bindings";
import { deletePrefix } from "../ipc/commands";
import { IpcError } from "../ipc/errors";
import { DeletionOutcome, DryRunSummary, OperationProgress } from "./DeletePrefixSteps";
import { refreshProfileKeys } from "./keyCache";

export function DeletePrefixModal({
  profile,
  prefix,
  onClose,
}: {
  profile: ProfileView;
  prefix: string;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [dryRunId, setDryRunId] = useState(() => crypto.randomUUID());
  const [runId] = useState(() => crypto.randomUUID());
  const [confirmation, setConfirmation] = useState("");

  const dryRun = useMutation({
    mutationFn: (operationId: string) =>
      deletePrefix({
        profile: profile.name,
        prefix,
        dryRun: true,
        confirmation: null,
        operationId,
      }),
  });
  const run = useMutation({
    mutationFn: () =>
      deletePrefix({
        profile: profile.name,
        prefix,
        dryRun: false,
        confirmation,
        operationId: runId,
      }),
    // Even long listings restart: most of what they hold may be gone.
    onSettled: () => refreshProfileKeys(queryClient, profile.name, "reset"),
  });
  const cancelDryRun = useCancelOperation();
  const cancelRun = useCancelOperation();
  const dryRunProgress = useOperationProgress(dryRunId);
  const runProgress = useOperationProgress(runId);

  // Started once per opening (the ref survives StrictMode's effect replay): each dry run is audited.
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
    body = run.isPending ? (
      <OperationProgress
        update={runProgress}
        cancelling={cancelRun.isPending || cancelRun.isSuccess}
        cancelError={cancelRun.error}
        onCancel={() => cancelRun.mutate(runId)}
      />
    ) : (
      <Stack gap="md">
        <DeletionOutcome result={run.data} error={run.error} />
        <Group justify="flex-end">
          <Button onClick={onClose} data-testid="delete-prefix-close">
            Done
          </Button>
        </Group>
      </Stack>
    );
  } else if (dryRun.isPending || dryRun.isIdle) {
    body = (
      <OperationProgress
        update={dryRunProgress}
        cancelling={cancelDryRun.isPending || cancelDryRun.isSuccess}
        cancelError={cancelDryRun.error}
        onCancel={() => cancelDryRun.mutate(dryRunId)}
      />
    );
  } else if (dryRun.isError) {
    const cancelled = dryRun.error instanceof IpcError && dryRun.error.code === "cancelled";
    body = (
      <Stack gap="md">
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
    const canDelete = result.matched > 0 && !profile.readOnly;
    body = (
      <Stack gap="md">
        <DryRunSummary result={result} />
        {profile.readOnly && result.matched > 0 && (
          <Alert color="gray" variant="light" data-testid="delete-prefix-read-only">
            This profile is read-only: deleting is refused.
          </Alert>
        )}
        {canDelete && (
          <>
            {profile.production && (
              <Alert color="red" variant="light" title="Production profile">
                These keys are served to production readers; they fall back to Postgres until the
                reports are precomputed again.
              </Alert>
            )}
            <TextInput
              label={
                <>
                  Type{" "}
                  <Text span ff="monospace" fw={700}>
                    {prefix}
                  </Text>{" "}
                  to confirm
                </>
              }
              value={confirmation}
              onChange={(event) => setConfirmation(event.currentTarget.value)}
              data-testid="delete-prefix-confirm-input"
              spellCheck={false}
              autoComplete="off"
              autoFocus
            />
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-testid="delete-prefix-close">
            {canDelete ? "Cancel" : "Close"}
          </Button>
          {canDelete && (
            <Button
              color="red"
              disabled={confirmation !== prefix}
              onClick={() => run.mutate()}
              data-testid="delete-prefix-submit"
            >
              Delete {countNoun(result.matched, "key")}
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
      title={
        <Text fw={600}>
          Delete keys under{" "}
          <Text span ff="monospace">
            {prefix}
          </Text>
        </Text>
      }
      size="lg"
    >
      <div data-testid="delete-prefix-modal">{body}</div>
    </Modal>
  );
}
