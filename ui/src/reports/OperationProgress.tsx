// The progress of a running report operation (precompute, sync) with its Cancel button.
import { Button, Group, Progress, Stack, Text } from "@mantine/core";
import { ErrorAlert } from "../feedback/QueryStates";
import type { ProgressUpdate } from "../ipc/bindings";
import { describeReportProgress } from "./runSummary";

export function OperationProgress({
  update,
  cancelling,
  cancelError,
  onCancel,
  testId,
}: {
  update: ProgressUpdate | null;
  cancelling: boolean;
  cancelError: unknown;
  onCancel: () => void;
  /** data-testid of the block; the Cancel button gets `${testId}-cancel`. */
  testId: string;
}) {
  const view = describeReportProgress(update);
  return (
    <Stack gap="xs" data-testid={testId} data-phase={update?.phase ?? ""}>
      <Text size="sm">{view.label}</Text>
      <Progress
        value={view.percent ?? 100}
        animated={view.percent === null}
        aria-label={view.label}
        transitionDuration={150}
      />
      {cancelError != null && <ErrorAlert error={cancelError} />}
      <Group justify="flex-end">
        <Button
          size="compact-sm"
          variant="default"
          data-testid={`${testId}-cancel`}
          loading={cancelling}
          onClick={onCancel}
        >
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
