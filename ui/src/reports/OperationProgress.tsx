// The progress of a running report operation (precompute, sync), worded for its phases.
import { OperationProgress as Bar } from "../feedback/OperationProgress";
import type { ProgressUpdate } from "../ipc/bindings";
import { describeReportProgress } from "./runSummary";

export function OperationProgress(props: {
  update: ProgressUpdate | null;
  cancelling: boolean;
  cancelError: unknown;
  onCancel: () => void;
  /** data-testid of the block; the Cancel button gets `${testId}-cancel`. */
  testId: string;
}) {
  return (
    <Bar
      {...props}
      view={describeReportProgress(props.update)}
      cancelTestId={`${props.testId}-cancel`}
      compact
    />
  );
}
