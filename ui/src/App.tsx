// Application layout: header, a navbar with the profile picker and the Keys / Reports / Jobs /
// Stats / Profiles links, and the chosen screen. Keys, Reports, Jobs and Stats show the chosen
// profile (the default one until the user picks another).
import { AppShell, Button, Group, NavLink, Stack, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useCoreEvents } from "./events/useCoreEvents";
import { EmptyState, ErrorAlert, LoadingState } from "./feedback/QueryStates";
import { listProfiles } from "./ipc/commands";
import { queryKeys } from "./ipc/queryKeys";
import { JobsScreen } from "./jobs/JobsScreen";
import { KeysScreen } from "./keys/KeysScreen";
import { NamespacePicker } from "./profiles/NamespacePicker";
import { ProfilePicker } from "./profiles/ProfilePicker";
import { ProfilesScreen } from "./profiles/ProfilesScreen";
import { ReportsScreen } from "./reports/ReportsScreen";
import { StatsScreen } from "./stats/StatsScreen";

type Screen = "keys" | "reports" | "jobs" | "stats" | "profiles";

/** The navbar's links, in order. */
const SCREENS: { screen: Screen; label: string }[] = [
  { screen: "keys", label: "Keys" },
  { screen: "reports", label: "Reports" },
  { screen: "jobs", label: "Jobs" },
  { screen: "stats", label: "Stats" },
  { screen: "profiles", label: "Profiles" },
];

export function App() {
  useCoreEvents();
  const profiles = useQuery({ queryKey: queryKeys.profiles(), queryFn: listProfiles });
  const [chosen, setChosen] = useState<string | null>(null);
  const [screen, setScreen] = useState<Screen>("keys");
  const list = profiles.data ?? [];
  const profile =
    list.find((p) => p.name === chosen) ?? list.find((p) => p.isDefault) ?? list[0] ?? null;

  let main: ReactNode;
  if (screen === "profiles") main = <ProfilesScreen />;
  else if (profiles.isPending) main = <LoadingState label="Loading profiles…" />;
  else if (profiles.isError)
    main = <ErrorAlert error={profiles.error} onRetry={() => profiles.refetch()} />;
  else if (profile === null)
    main = (
      <Stack h="100%" justify="center" align="center" gap="xs">
        <EmptyState
          title="No profiles configured"
          description="Add a local or Cloudflare profile to start browsing keys."
        />
        <Button variant="light" onClick={() => setScreen("profiles")}>
          Go to Profiles
        </Button>
      </Stack>
    );
  else if (screen === "reports") main = <ReportsScreen key={profile.name} profile={profile} />;
  else if (screen === "jobs")
    main = (
      <JobsScreen
        key={profile.name}
        profile={profile}
        onOpenProfiles={() => setScreen("profiles")}
      />
    );
  else if (screen === "stats")
    main = (
      <StatsScreen
        key={profile.name}
        profile={profile}
        onOpenProfiles={() => setScreen("profiles")}
      />
    );
  else main = <KeysScreen key={profile.name} profile={profile} />;

  // Picking a profile shows it: on the screen in view, or on Keys from the Profiles screen.
  const pickProfile = (name: string) => {
    setChosen(name);
    setScreen((current) => (current === "profiles" ? "keys" : current));
  };

  return (
    <AppShell header={{ height: 48 }} navbar={{ width: 260, breakpoint: 0 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md">
          <Title order={4}>Cachescope</Title>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="md">
        <Stack gap="md">
          <ProfilePicker
            profiles={list}
            loading={profiles.isPending}
            value={profile}
            onChange={pickProfile}
          />
          {profile && <NamespacePicker key={profile.name} profile={profile} />}
          <Stack gap={2}>
            {SCREENS.map(({ screen: id, label }) => (
              <NavLink
                key={id}
                component="button"
                label={label}
                active={screen === id}
                onClick={() => setScreen(id)}
                data-testid={`nav-${id}`}
              />
            ))}
          </Stack>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main h="100dvh">{main}</AppShell.Main>
    </AppShell>
  );
}
