// "Sync offline mirror": copies the profile's report keys to this machine, with progress and
// Cancel, then says what was synced (or why not) under the button.
import { Alert, Button, CloseButton, Group, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCancelOperation } from "../events/useCancelOperation";
import { useOperationProgress } from "../events/useOperationProgress";
import { ErrorAlert } from "../feedback/QueryStates";
import { syncReports } from "../ipc/commands";
import { IpcError } from "../ipc/errors";
import { queryKeys } from "../ipc/queryKeys";
import { OperationProgress } from "./OperationProgress";
import { describeSync } from "./runSummary";

export function useSyncMirror(profile: string) {
  const queryClient = useQueryClient();
  const [operationId, setOperationId] = useState<string | null>(null);
  const sync = useMutation({
    mutationFn: (id: string) => syncReports({ profile, operationId: id }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.reports(profile) }),
  });
  const cancel = useCancelOperation();
  const progress = useOperationProgress(operationId);
  const start = () => {
    const id = crypto.randomUUID();
    setOperationId(id);
    cancel.reset();
    sync.mutate(id);
  };
  return { sync, cancel, progress, operationId, start };
}

export function SyncMirrorButton({
  state,
  disabled,
}: {
  state: ReturnType<typeof useSyncMirror>;
  disabled?: boolean;
}) {
  return (
    <Button
      size="xs"
      variant="default"
      onClick={state.start}
      loading={state.sync.isPending}
      disabled={disabled}
      data-testid="sync-mirror"
    >
      Sync offline mirror
    </Button>
  );
}

export function SyncMirrorStatus({ state }: { state: ReturnType<typeof useSyncMirror> }) {
  const { sync, cancel, progress, operationId } = state;
  if (sync.isIdle) return null;
  if (sync.isPending) {
    return (
      <OperationProgress
        update={progress}
        cancelling={cancel.isPending || cancel.isSuccess}
        cancelError={cancel.error}
        onCancel={() => operationId && cancel.mutate(operationId)}
        testId="sync-progress"
      />
    );
  }
  if (sync.isSuccess) {
    return (
      <Alert
        color="teal"
        variant="light"
        p="xs"
        data-testid="sync-result"
        data-keys={sync.data.keys}
      >
        <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
          <Text size="sm">{describeSync(sync.data)}</Text>
          <CloseButton size="sm" aria-label="Dismiss" onClick={() => sync.reset()} />
        </Group>
      </Alert>
    );
  }
  const cancelled = sync.error instanceof IpcError && sync.error.code === "cancelled";
  return (
    <Stack gap={4} data-testid="sync-result" data-error={cancelled ? "cancelled" : "failed"}>
      {cancelled ? (
        <Alert color="yellow" variant="light" p="xs" withCloseButton onClose={() => sync.reset()}>
          Sync cancelled: the mirror keeps what was copied before.
        </Alert>
      ) : (
        <ErrorAlert error={sync.error} onRetry={state.start} />
      )}
    </Stack>
  );
}
