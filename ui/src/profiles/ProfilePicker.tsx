// Navbar profile picker: which KV namespace the app is looking at, with its kind and the
// read-only / production flags always in view.
import { Select, Stack, Text } from "@mantine/core";
import type { ProfileView } from "../ipc/bindings";
import { ProfileBadges } from "./ProfileBadges";

export function ProfilePicker({
  profiles,
  loading,
  value,
  onChange,
}: {
  profiles: ProfileView[];
  loading: boolean;
  value: ProfileView | null;
  onChange: (name: string) => void;
}) {
  const byName = new Map(profiles.map((p) => [p.name, p]));
  return (
    <Stack gap="xs">
      <Select
        label="Profile"
        placeholder={
          loading ? "Loading…" : profiles.length === 0 ? "No profiles" : "Pick a profile"
        }
        data={profiles.map((p) => ({ value: p.name, label: p.name }))}
        value={value?.name ?? null}
        onChange={(name) => name && onChange(name)}
        allowDeselect={false}
        data-testid="profile-picker"
        disabled={profiles.length === 0}
        searchable={profiles.length > 8}
        renderOption={({ option }) => {
          const profile = byName.get(option.value);
          return (
            <Stack gap={2}>
              <Text size="sm">{option.label}</Text>
              {profile && <ProfileBadges profile={profile} />}
            </Stack>
          );
        }}
      />
      {value && <ProfileBadges profile={value} />}
    </Stack>
  );
}
