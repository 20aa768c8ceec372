// The profiles screen: every connection profile in a table, with add, edit, delete, make default
// and test connection. Secrets never come back from the shell; the table only says whether each
// is stored.
import { Button, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { EmptyState, ErrorAlert, LoadingState } from "../feedback/QueryStates";
import type { ProfileView } from "../ipc/bindings";
import { listProfiles } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { DeleteProfileModal } from "./DeleteProfileModal";
import { ProfileFormModal } from "./ProfileFormModal";
import { ProfileRow } from "./ProfileRow";

type Dialog =
  | { kind: "add" }
  | { kind: "edit"; profile: ProfileView }
  | { kind: "delete"; profile: ProfileView };

export function ProfilesScreen() {
  const profiles = useQuery({ queryKey: queryKeys.profiles(), queryFn: listProfiles });
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const list = profiles.data ?? [];
  const close = () => setDialog(null);

  let body: ReactNode;
  if (profiles.isPending) body = <LoadingState label="Loading profiles…" />;
  else if (profiles.isError)
    body = <ErrorAlert error={profiles.error} onRetry={() => profiles.refetch()} />;
  else if (list.length === 0)
    body = (
      <EmptyState
        title="No profiles yet"
        description="Add a Cloudflare KV namespace or a local namespace to browse its keys."
      />
    );
  else
    body = (
      <Paper withBorder>
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="xs" highlightOnHover data-testid="profiles-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Flags</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((profile) => (
                <ProfileRow
                  key={profile.name}
                  profile={profile}
                  onEdit={() => setDialog({ kind: "edit", profile })}
                  onDelete={() => setDialog({ kind: "delete", profile })}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    );

  return (
    <Stack gap="md" h="100%">
      <Group justify="space-between">
        <Stack gap={0}>
          <Title order={3}>Profiles</Title>
          <Text size="sm" c="dimmed">
            Where keys are read from, and whether they may be changed.
          </Text>
        </Stack>
        <Button onClick={() => setDialog({ kind: "add" })} data-testid="profile-add">
          Add profile
        </Button>
      </Group>
      {body}
      {(dialog?.kind === "add" || dialog?.kind === "edit") && (
        <ProfileFormModal
          editing={dialog.kind === "edit" ? dialog.profile : null}
          existingNames={list.map((p) => p.name)}
          onClose={close}
        />
      )}
      {dialog?.kind === "delete" && <DeleteProfileModal profile={dialog.profile} onClose={close} />}
    </Stack>
  );
}
