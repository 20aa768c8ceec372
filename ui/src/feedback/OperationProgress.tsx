// The progress bar of one long core operation (delete by prefix, precompute, sync) with its
// Cancel button; the caller words the label and percent for its own phases.
import { Button, Group, Progress, Stack, Text } from "@mantine/core";
import type { ProgressUpdate } from "../ipc/bindings";
import { ErrorAlert } from "./QueryStates";

export function OperationProgress({
  update,
  view,
  cancelling,
  cancelError,
  onCancel,
  testId,
  cancelTestId,
  compact = false,
}: {
  update: ProgressUpdate | null;
  /** The caller's wording of `update`; `percent` null draws an animated full bar. */
  view: { label: string; percent: number | null };
  cancelling: boolean;
  cancelError: unknown;
  onCancel: () => void;
  testId: string;
  cancelTestId: string;
  compact?: boolean;
}) {
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
          size={compact ? "compact-sm" : undefined}
          variant="default"
          data-testid={cancelTestId}
          loading={cancelling}
          onClick={onCancel}
        >
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}
