// The footer of every destructive confirmation: the failure (if any), Cancel, and the red
// confirming button that shows progress while the action runs.
import { Button, Group } from "@mantine/core";
import type { ReactNode } from "react";
import { ErrorAlert } from "./QueryStates";

export function ConfirmActions({
  error,
  pending,
  onCancel,
  onConfirm,
  testId,
  autoFocus = false,
  disabled = false,
  children,
}: {
  error: unknown;
  pending: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  /** data-testid of the confirming button. */
  testId: string;
  autoFocus?: boolean;
  /** Keeps the confirming button off until the dialog's own condition holds. */
  disabled?: boolean;
  /** The confirming button's label. */
  children: ReactNode;
}) {
  return (
    <>
      {error ? <ErrorAlert error={error} /> : null}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
        <Button
          color="red"
          loading={pending}
          disabled={disabled}
          onClick={onConfirm}
          data-testid={testId}
          data-autofocus={autoFocus || undefined}
        >
          {children}
        </Button>
      </Group>
    </>
  );
}
