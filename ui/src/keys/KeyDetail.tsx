// Detail panel of one key: its actions (copy name and value, set TTL, delete), size, expiry,
// metadata, the contract of its report (if any) and the value. Values are fetched capped at 1 MiB; a larger one shows its first MiB
// and offers to load the rest.
import { Alert, Box, Button, Group, ScrollArea, Stack, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert, LoadingState } from "../feedback/QueryStates";
import { formatByteCount, formatBytes } from "../format/bytes";
import { prettyMetadata } from "../format/json";
import type { ProfileView, ValueView } from "../ipc/bindings";
import { getValue } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { Fact } from "../layout/Fact";
import { ContractBadge } from "./ContractBadge";
import { CopyTextButton } from "./CopyTextButton";
import { DeleteKeyButton } from "./DeleteKeyButton";
import { Expiry } from "./Expiry";
import { KeyTtlPopover } from "./KeyTtlPopover";
import { ValueViewer } from "./ValueViewer";

const PREVIEW_BYTES = 1024 * 1024;

function KeyActions({
  profile,
  view,
  onDeleted,
}: {
  profile: ProfileView;
  view: ValueView;
  onDeleted: (existed: boolean) => void;
}) {
  let copyUnavailable: string | undefined;
  if (view.truncated) copyUnavailable = "Load the full value to copy it";
  return (
    <Group gap="xs">
      <CopyTextButton text={view.key} label="Copy name" testId="copy-key-name" />
      <CopyTextButton
        text={view.data}
        label={view.encoding === "utf8" ? "Copy value" : "Copy value (base64)"}
        testId="copy-value"
        unavailable={copyUnavailable}
      />
      <KeyTtlPopover profile={profile} keyName={view.key} />
      <DeleteKeyButton profile={profile} keyName={view.key} onDeleted={onDeleted} />
    </Group>
  );
}

export function KeyDetail({
  profile,
  keyName,
  onDeleted,
}: {
  profile: ProfileView;
  keyName: string;
  onDeleted: (existed: boolean) => void;
}) {
  const [full, setFull] = useState(false);
  const maxBytes = full ? null : PREVIEW_BYTES;
  const value = useQuery({
    queryKey: queryKeys.value(profile.name, keyName, maxBytes),
    queryFn: () => getValue({ profile: profile.name, key: keyName, maxBytes }),
    // Keep the preview on screen while the full value loads.
    placeholderData: keepPreviousData,
  });

  if (value.isPending) return <LoadingState label="Loading value…" />;
  if (value.isError) return <ErrorAlert error={value.error} onRetry={() => value.refetch()} />;
  const view = value.data;

  return (
    <Stack gap="md" h="100%">
      <Stack gap="xs">
        <Title order={4} ff="monospace" style={{ overflowWrap: "anywhere" }} data-testid="key-name">
          {view.key}
        </Title>
        <KeyActions profile={profile} view={view} onDeleted={onDeleted} />
      </Stack>
      <Group gap="xl" align="flex-start">
        <Fact label="Size" testId="key-size">
          {formatBytes(view.sizeBytes)}{" "}
          <Text span c="dimmed" fz="sm">
            ({formatByteCount(view.sizeBytes)})
          </Text>
        </Fact>
        <Fact label="Expiry" testId="key-expiry">
          <Expiry expiration={view.expiration} fz="sm" />
        </Fact>
        <Fact label="Encoding">{view.encoding === "utf8" ? "UTF-8 text" : "Binary"}</Fact>
        {view.contract && (
          <Fact label="Contract" testId="key-contract">
            <ContractBadge check={view.contract} />
          </Fact>
        )}
      </Group>
      <Fact label="Metadata">
        {view.metadata === null ? (
          <Text c="dimmed" fz="sm">
            None
          </Text>
        ) : (
          <ScrollArea.Autosize mah={160}>
            <Text component="pre" ff="monospace" fz="xs" m={0}>
              {prettyMetadata(view.metadata)}
            </Text>
          </ScrollArea.Autosize>
        )}
      </Fact>
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
