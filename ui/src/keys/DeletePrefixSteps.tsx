// The pieces of the delete-by-prefix modal: the dry run's summary and sample, the progress of a
// running operation with its Cancel button, and the outcome of the real run.
import { Alert, Code, ScrollArea, Stack, Text } from "@mantine/core";
import { OperationProgress as Bar } from "../feedback/OperationProgress";
import { ErrorAlert } from "../feedback/QueryStates";
import { formatCount } from "../format/count";
import type { PrefixDeletion, ProgressUpdate } from "../ipc/bindings";
import { IpcError } from "../ipc/errors";
import {
  deletionColor,
  describeDeletion,
  describeDryRun,
  describeProgress,
  failedNotShown,
} from "./prefixDeletion";

export function DryRunSummary({ result }: { result: PrefixDeletion }) {
  const more = result.matched - result.sample.length;
  return (
    <Stack gap="xs">
      <Text fw={600} data-testid="delete-prefix-dry-run" data-matched={result.matched}>
        {describeDryRun(result)}
      </Text>
      {result.sample.length > 0 && (
        <ScrollArea.Autosize mah={200} type="auto">
          <Stack gap={2} data-testid="delete-prefix-sample">
            {result.sample.map((name) => (
              <Code key={name} style={{ overflowWrap: "anywhere" }}>
                {name}
              </Code>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      )}
      {more > 0 && (
        <Text size="sm" c="dimmed">
          and {formatCount(more)} more
        </Text>
      )}
    </Stack>
  );
}

export function OperationProgress(props: {
  update: ProgressUpdate | null;
  cancelling: boolean;
  cancelError: unknown;
  onCancel: () => void;
}) {
  return (
    <Bar
      {...props}
      view={describeProgress(props.update)}
      testId="delete-prefix-progress"
      cancelTestId="delete-prefix-cancel"
    />
  );
}

/** The keys the server reported as not deleted: a sample, and how many more. */
function FailedKeys({ result }: { result: PrefixDeletion }) {
  const more = failedNotShown(result);
  return (
    <Stack gap="xs" mt="xs">
      <Text size="sm">These keys are still there; delete the prefix again to retry them.</Text>
      <ScrollArea.Autosize mah={160} type="auto">
        <Stack gap={2} data-testid="delete-prefix-failed-sample">
          {result.failedSample.map((name) => (
            <Code key={name} style={{ overflowWrap: "anywhere" }}>
              {name}
            </Code>
          ))}
        </Stack>
      </ScrollArea.Autosize>
      {more > 0 && (
        <Text size="sm" c="dimmed">
          and {formatCount(more)} more
        </Text>
      )}
    </Stack>
  );
}

export function DeletionOutcome({ result, error }: { result?: PrefixDeletion; error: unknown }) {
  if (result) {
    return (
      <Alert
        color={deletionColor(result)}
        variant="light"
        data-testid="delete-prefix-result"
        data-deleted={result.deleted}
        data-failed={result.failed}
        data-cancelled={result.cancelled || undefined}
      >
        <Text size="sm" fw={result.failed > 0 ? 600 : undefined}>
          {describeDeletion(result)}
        </Text>
        {result.failed > 0 && <FailedKeys result={result} />}
      </Alert>
    );
  }
  if (error instanceof IpcError && error.code === "cancelled") {
    return (
      <Alert color="yellow" variant="light" data-testid="delete-prefix-result" data-deleted={0}>
        Cancelled while listing the keys: nothing was deleted.
      </Alert>
    );
  }
  return (
    <Stack gap="xs" data-testid="delete-prefix-result">
      <ErrorAlert error={error} />
      {!(error instanceof IpcError && error.code === "readOnlyProfile") && (
        <Text size="sm" c="dimmed">
          Keys deleted before the error stay deleted; run a dry run again to see what is left.
        </Text>
      )}
    </Stack>
  );
}
