// Application layout: header, a navbar holding the profile picker, and the keys screen of the
// chosen profile (the default profile until the user picks another).
import { AppShell, Group, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { EmptyState, ErrorAlert, LoadingState } from "./feedback/QueryStates";
import { listProfiles } from "./ipc/commands";
import { queryKeys } from "./ipc/queryKeys";
import { KeysScreen } from "./keys/KeysScreen";
import { ProfilePicker } from "./profiles/ProfilePicker";

export function App() {
  const profiles = useQuery({ queryKey: queryKeys.profiles(), queryFn: listProfiles });
  const [chosen, setChosen] = useState<string | null>(null);
  const list = profiles.data ?? [];
  const profile =
    list.find((p) => p.name === chosen) ?? list.find((p) => p.isDefault) ?? list[0] ?? null;

  let main: ReactNode;
  if (profiles.isPending) main = <LoadingState label="Loading profiles…" />;
  else if (profiles.isError)
    main = <ErrorAlert error={profiles.error} onRetry={() => profiles.refetch()} />;
  else if (profile === null)
    main = (
      <EmptyState
        title="No profiles configured"
        description="Add a local or Cloudflare profile to start browsing keys."
      />
    );
  else main = <KeysScreen key={profile.name} profile={profile.name} />;

  return (
    <AppShell header={{ height: 48 }} navbar={{ width: 260, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md">
          <Title order={4}>Cachescope</Title>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="md">
        <ProfilePicker
          profiles={list}
          loading={profiles.isPending}
          value={profile}
          onChange={setChosen}
        />
      </AppShell.Navbar>
      <AppShell.Main h="100dvh">{main}</AppShell.Main>
    </AppShell>
  );
}
