// A profile's flags as badges: kind, read-only, production; the detailed form (profiles table)
// adds unlocked, default and where its secrets are kept (keychain, file, environment, none).
import { Badge, Group } from "@mantine/core";
import type { ProfileView } from "../ipc/bindings";
import { secretPlaceBadge, secretPlaceText } from "./profileForm";

export function ProfileBadges({
  profile,
  detailed = false,
  withKind = true,
}: {
  profile: ProfileView;
  detailed?: boolean;
  withKind?: boolean;
}) {
  return (
    <Group gap={4}>
      {withKind && (
        <Badge size="xs" variant="light" color={profile.kind === "local" ? "teal" : "orange"}>
          {profile.kind === "local" ? "Local" : "Cloudflare"}
        </Badge>
      )}
      {profile.readOnly && (
        <Badge size="xs" variant="outline" color="gray" data-testid="badge-read-only">
          Read-only
        </Badge>
      )}
      {profile.production && (
        <Badge size="xs" variant="filled" color="red" data-testid="badge-production">
          Production
        </Badge>
      )}
      {detailed && profile.production && profile.unlocked && (
        <Badge size="xs" variant="outline" color="red">
          Unlocked
        </Badge>
      )}
      {detailed && profile.isDefault && (
        <Badge size="xs" variant="light" color="blue" data-testid="badge-default">
          Default
        </Badge>
      )}
      {detailed && profile.kind === "cloudflare" && (
        <Badge
          size="xs"
          variant="light"
          color={profile.tokenSet ? "green" : "yellow"}
          data-testid="badge-token"
          data-set={profile.tokenSet || undefined}
          title={secretPlaceText(profile.tokenLocation, "API token")}
        >
          {secretPlaceBadge(profile.tokenLocation, "token")}
        </Badge>
      )}
      {detailed && profile.postgresUrl !== null && (
        <Badge
          size="xs"
          variant="light"
          color={profile.dbPasswordSet ? "green" : "gray"}
          title={secretPlaceText(profile.dbPasswordLocation, "Postgres password")}
        >
          {secretPlaceBadge(profile.dbPasswordLocation, "DB password")}
        </Badge>
      )}
    </Group>
  );
}
