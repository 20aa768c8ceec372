// One row of the profiles table: name, kind, target, flags and the row's actions (test the
// connection, edit, make default, delete). A test result or a failed action shows in a row below.
import { Alert, Button, CloseButton, Group, Stack, Table, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ErrorAlert } from "../feedback/QueryStates";
import { countNoun } from "../format/count";
import type { ConnectionCheck, ProfileView } from "../ipc/bindings";
import { setDefaultProfile, testConnection } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { ProfileBadges } from "./ProfileBadges";

const COLUMNS = 5;

function Target({ profile }: { profile: ProfileView }) {
  const lines: { label: string; value: string }[] =
    profile.kind === "cloudflare"
      ? [
          { label: "namespace", value: profile.namespaceId ?? "—" },
          { label: "account", value: profile.accountId ?? "—" },
          ...(profile.baseUrl ? [{ label: "API", value: profile.baseUrl }] : []),
        ]
      : [
          { label: "file", value: profile.path ?? "the app's local namespace" },
          ...(profile.namespaceId ? [{ label: "namespace", value: profile.namespaceId }] : []),
        ];
  if (profile.postgresUrl) lines.push({ label: "Postgres", value: profile.postgresUrl });
  return (
    <Stack gap={0}>
      {lines.map((line) => (
        <Text key={line.label} size="xs" style={{ overflowWrap: "anywhere" }}>
          <Text span c="dimmed" size="xs">
            {line.label}{" "}
          </Text>
          <Text span ff="monospace" size="xs">
            {line.value}
          </Text>
        </Text>
      ))}
    </Stack>
  );
}

function ConnectionResult({ check }: { check: ConnectionCheck }) {
  return (
    <Alert
      color="teal"
      variant="light"
      p="xs"
      data-testid="profile-test-result"
      data-ok
      data-round-trip-ms={check.roundTripMs}
    >
      <Text size="sm">
        Connected to <b>{check.store}</b>: {countNoun(check.sampleKeys, "sample key")} in{" "}
        {check.roundTripMs.toLocaleString("en-US")} ms round trip.
      </Text>
    </Alert>
  );
}

export function ProfileRow({
  profile,
  onEdit,
  onDelete,
}: {
  profile: ProfileView;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const queryClient = useQueryClient();
  const test = useMutation({ mutationFn: () => testConnection({ name: profile.name }) });
  const makeDefault = useMutation({
    mutationFn: () => setDefaultProfile({ name: profile.name }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.profiles() }),
  });
  const showResult = !test.isIdle && !test.isPending;

  return (
    <>
      <Table.Tr data-testid="profile-row" data-profile={profile.name}>
        <Table.Td>
          <Text fw={600} size="sm" style={{ whiteSpace: "nowrap" }}>
            {profile.name}
          </Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{profile.kind === "cloudflare" ? "Cloudflare KV" : "Local"}</Text>
        </Table.Td>
        <Table.Td maw={280}>
          <Target profile={profile} />
        </Table.Td>
        <Table.Td>
          <ProfileBadges profile={profile} detailed withKind={false} />
        </Table.Td>
        <Table.Td>
          <Group gap={6} wrap="nowrap" justify="flex-end">
            <Button
              size="compact-xs"
              variant="light"
              loading={test.isPending}
              onClick={() => test.mutate()}
              data-testid="profile-test"
            >
              Test connection
            </Button>
            <Button size="compact-xs" variant="default" onClick={onEdit} data-testid="profile-edit">
              Edit
            </Button>
            <Button
              size="compact-xs"
              variant="default"
              disabled={profile.isDefault}
              loading={makeDefault.isPending}
              onClick={() => makeDefault.mutate()}
              data-testid="profile-set-default"
            >
              Make default
            </Button>
            <Button
              size="compact-xs"
              variant="light"
              color="red"
              onClick={onDelete}
              data-testid="profile-delete"
            >
              Delete
            </Button>
          </Group>
        </Table.Td>
      </Table.Tr>
      {(showResult || makeDefault.isError) && (
        <Table.Tr data-testid="profile-row-detail" data-profile={profile.name}>
          <Table.Td colSpan={COLUMNS}>
            <Group align="flex-start" wrap="nowrap" gap="xs">
              <Stack gap="xs" flex={1}>
                {test.isSuccess && <ConnectionResult check={test.data} />}
                {test.isError && (
                  <div data-testid="profile-test-result" data-ok={false}>
                    <ErrorAlert error={test.error} onRetry={() => test.mutate()} />
                  </div>
                )}
                {makeDefault.isError && <ErrorAlert error={makeDefault.error} />}
              </Stack>
              <CloseButton
                aria-label="Dismiss"
                onClick={() => {
                  test.reset();
                  makeDefault.reset();
                }}
              />
            </Group>
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}
