// Navbar namespace picker: the namespaces the selected profile can point at (its Cloudflare
// account's, or those inside its local file); choosing one re-points the profile.
import { Select } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../feedback/QueryStates";
import type { ProfileView } from "../ipc/bindings";
import { listNamespaces, switchNamespace } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";

/** The namespace a profile points at when it names none (the core's default for local files). */
const DEFAULT_LOCAL_NAMESPACE = "default";

export function NamespacePicker({ profile }: { profile: ProfileView }) {
  const queryClient = useQueryClient();
  // Listed when the dropdown first opens, not on every profile switch: for a Cloudflare profile
  // it is an API call, and it must not delay the first keys of the profile just picked.
  const [opened, setOpened] = useState(false);
  const namespaces = useQuery({
    queryKey: queryKeys.namespaces(profile.name),
    queryFn: () => listNamespaces({ name: profile.name }),
    enabled: opened,
  });
  const current =
    profile.namespaceId ?? (profile.kind === "local" ? DEFAULT_LOCAL_NAMESPACE : null);
  const change = useMutation({
    mutationFn: (namespaceId: string) => switchNamespace({ name: profile.name, namespaceId }),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.profiles() }),
        queryClient.resetQueries({ queryKey: queryKeys.profile(profile.name) }),
      ]),
  });
  if (namespaces.isError) return <ErrorAlert error={namespaces.error} />;
  const data = (namespaces.data ?? []).map((n) => ({
    value: n.id,
    label: n.title === n.id ? n.id : `${n.title} (${n.id.slice(0, 8)}…)`,
  }));
  if (current && !data.some((d) => d.value === current))
    data.push({ value: current, label: current });
  return (
    <>
      <Select
        label="Namespace"
        data={data}
        value={current}
        onChange={(id) => id && id !== current && change.mutate(id)}
        allowDeselect={false}
        onDropdownOpen={() => setOpened(true)}
        disabled={change.isPending}
        placeholder="Pick a namespace"
        nothingFoundMessage={namespaces.isFetching ? "Loading namespaces…" : undefined}
        searchable={data.length > 8}
        data-testid="namespace-picker"
      />
      {change.isError && <ErrorAlert error={change.error} />}
    </>
  );
}
