// Detail panel of one key: size, expiry, metadata and the value. Values are fetched capped at
// 1 MiB; a larger one shows its first MiB and offers to load the rest.
import { Alert, Box, Button, Group, ScrollArea, Stack, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ErrorAlert, LoadingState } from "../feedback/QueryStates";
import { formatByteCount, formatBytes } from "../format/bytes";
import { prettyValue } from "../format/json";
import { getValue } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { Expiry } from "./Expiry";
import { useNow } from "./useNow";
import { ValueViewer } from "./ValueViewer";

const PREVIEW_BYTES = 1024 * 1024;

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Box fz="sm">{children}</Box>
    </Stack>
  );
}

export function KeyDetail({ profile, keyName }: { profile: string; keyName: string }) {
  const [full, setFull] = useState(false);
  const maxBytes = full ? null : PREVIEW_BYTES;
  const value = useQuery({
    queryKey: queryKeys.value(profile, keyName, maxBytes),
    queryFn: () => getValue({ profile, key: keyName, maxBytes }),
    // Keep the preview on screen while the full value loads.
    placeholderData: keepPreviousData,
  });
  const now = useNow();

  if (value.isPending) return <LoadingState label="Loading value…" />;
  if (value.isError) return <ErrorAlert error={value.error} onRetry={() => value.refetch()} />;
  const view = value.data;

  return (
    <Stack gap="md" h="100%">
      <Title order={4} ff="monospace" style={{ overflowWrap: "anywhere" }}>
        {view.key}
      </Title>
      <Group gap="xl" align="flex-start">
        <Field label="Size">
          {formatBytes(view.sizeBytes)}{" "}
          <Text span c="dimmed" fz="sm">
            ({formatByteCount(view.sizeBytes)})
          </Text>
        </Field>
        <Field label="Expiry">
          <Expiry expiration={view.expiration} now={now} fz="sm" />
        </Field>
        <Field label="Encoding">{view.encoding === "utf8" ? "UTF-8 text" : "Binary"}</Field>
      </Group>
      <Field label="Metadata">
        {view.metadata === null ? (
          <Text c="dimmed" fz="sm">
            None
          </Text>
        ) : (
          <ScrollArea.Autosize mah={160}>
            <Text component="pre" ff="monospace" fz="xs" m={0}>
              {prettyValue(view.metadata)}
            </Text>
          </ScrollArea.Autosize>
        )}
      </Field>
      {view.truncated && (
        <Alert color="yellow" variant="light" p="xs">
          <Group justify="space-between" gap="xs">
            <Text fz="sm">
              Showing first {formatBytes(PREVIEW_BYTES)} of {formatBytes(view.sizeBytes)}
            </Text>
            <Button
              size="compact-sm"
              variant="light"
              color="yellow"
              loading={value.isFetching}
              onClick={() => setFull(true)}
            >
              Load full value
            </Button>
          </Group>
        </Alert>
      )}
      <Box flex={1} mih={0}>
        <ValueViewer value={view} />
      </Box>
    </Stack>
  );
}
