// Navbar profile picker: which KV namespace the app is looking at, with its kind and the
// read-only / production flags always in view.
import { Badge, Group, Select, Stack, Text } from "@mantine/core";
import type { ProfileView } from "../ipc/bindings";

function ProfileBadges({ profile }: { profile: ProfileView }) {
  return (
    <Group gap={4}>
      <Badge size="xs" variant="light" color={profile.kind === "local" ? "teal" : "orange"}>
        {profile.kind === "local" ? "Local" : "Cloudflare"}
      </Badge>
      {profile.readOnly && (
        <Badge size="xs" variant="outline" color="gray">
          Read-only
        </Badge>
      )}
      {profile.production && (
        <Badge size="xs" variant="filled" color="red">
          Production
        </Badge>
      )}
    </Group>
  );
}

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
