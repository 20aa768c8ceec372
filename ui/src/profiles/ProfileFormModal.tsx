// Add or edit a profile: a Cloudflare namespace (account id, namespace id, optional base URL,
// API token) or a local one (file, namespace name), an optional Postgres connection, and the
// read-only / production / unlocked flags. Secrets are write-only: empty keeps what is stored.
import {
  Button,
  Checkbox,
  Fieldset,
  Group,
  Modal,
  PasswordInput,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, useState } from "react";
import { ErrorAlert } from "../feedback/QueryStates";
import type { ProfileView, SecretPlace } from "../ipc/bindings";
import { saveProfile } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import {
  DEFAULT_CLOUDFLARE_BASE_URL,
  emptyProfileForm,
  type ProfileFormValues,
  profileFormFromView,
  refusesWrites,
  secretPlaceText,
  toSaveProfileArgs,
  validateProfileForm,
} from "./profileForm";

function secretDescription(place: SecretPlace | null, what: string): string {
  // Where a new secret goes is known only once saved: the profiles table then shows it.
  if (place === null) {
    return "Kept in the OS keychain when this system has one, otherwise in a file only you can read; never shown again.";
  }
  return secretPlaceText(place, what);
}

export function ProfileFormModal({
  editing,
  existingNames,
  onClose,
}: {
  /** The profile being edited; null to add one. */
  editing: ProfileView | null;
  existingNames: readonly string[];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<ProfileFormValues>(() =>
    editing ? profileFormFromView(editing) : emptyProfileForm(),
  );
  const [submitted, setSubmitted] = useState(false);
  const errors = validateProfileForm(values, { existingNames, editing: editing !== null });
  const shown = submitted ? errors : {};
  const save = useMutation({
    mutationFn: () => saveProfile(toSaveProfileArgs(values)),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.profiles() });
      onClose();
    },
  });

  const set = <K extends keyof ProfileFormValues>(field: K, value: ProfileFormValues[K]) =>
    setValues((current) => ({ ...current, [field]: value }));
  const text = (field: keyof ProfileFormValues) => ({
    value: values[field] as string,
    onChange: (event: ChangeEvent<HTMLInputElement>) =>
      set(field, event.currentTarget.value as never),
    error: shown[field],
  });
  const submit = () => {
    setSubmitted(true);
    if (Object.keys(errors).length === 0) save.mutate();
  };
  const cloudflare = values.kind === "cloudflare";
  const keepHint = editing ? "leave empty to keep the stored " : undefined;

  return (
    <Modal
      opened
      onClose={() => !save.isPending && onClose()}
      title={editing ? `Edit profile ${editing.name}` : "Add profile"}
      size="lg"
    >
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Stack gap="sm" data-testid="profile-form">
          <TextInput
            label="Name"
            required
            disabled={editing !== null}
            description={
              editing
                ? "A profile keeps its name; add a new profile to use another one."
                : "Letters, digits, '.', '_' or '-' (at most 64)"
            }
            data-testid="profile-form-name"
            spellCheck={false}
            autoComplete="off"
            data-autofocus
            {...text("name")}
          />
          <SegmentedControl
            data={[
              { value: "cloudflare", label: "Cloudflare KV" },
              { value: "local", label: "Local namespace" },
            ]}
            value={values.kind}
            onChange={(kind) => set("kind", kind === "local" ? "local" : "cloudflare")}
            data-testid="profile-form-kind"
          />
          {cloudflare ? (
            <>
              <Group grow align="flex-start">
                <TextInput
                  label="Account id"
                  required
                  data-testid="profile-form-account-id"
                  spellCheck={false}
                  autoComplete="off"
                  {...text("accountId")}
                />
                <TextInput
                  label="Namespace id"
                  required
                  data-testid="profile-form-namespace-id"
                  spellCheck={false}
                  autoComplete="off"
                  {...text("namespaceId")}
                />
              </Group>
              <TextInput
                label="API base URL"
                placeholder={DEFAULT_CLOUDFLARE_BASE_URL}
                description="Optional; another URL points at a KV simulator or proxy."
                data-testid="profile-form-base-url"
                spellCheck={false}
                autoComplete="off"
                {...text("baseUrl")}
              />
              <PasswordInput
                label="API token"
                placeholder={keepHint ? `${keepHint}token` : undefined}
                description={secretDescription(editing?.tokenLocation ?? null, "token")}
                data-testid="profile-form-token"
                autoComplete="new-password"
                {...text("token")}
              />
            </>
          ) : (
            <>
              <TextInput
                label="Namespace file"
                placeholder="the app's own local namespace"
                description="Optional path of a local namespace SQLite file."
                data-testid="profile-form-path"
                spellCheck={false}
                autoComplete="off"
                {...text("path")}
              />
              <TextInput
                label="Namespace name"
                description="Optional name of the namespace inside the file."
                data-testid="profile-form-namespace-id"
                spellCheck={false}
                autoComplete="off"
                {...text("namespaceId")}
              />
            </>
          )}
          <Fieldset legend="Postgres (optional)" variant="filled" p="sm">
            <Stack gap="sm">
              <TextInput
                label="URL, without the password"
                placeholder="postgres://user@host:5432/reports"
                data-testid="profile-form-postgres-url"
                spellCheck={false}
                autoComplete="off"
                {...text("postgresUrl")}
              />
              <PasswordInput
                label="Password"
                placeholder={keepHint ? `${keepHint}password` : undefined}
                description={secretDescription(editing?.dbPasswordLocation ?? null, "password")}
                data-testid="profile-form-db-password"
                autoComplete="new-password"
                {...text("dbPassword")}
              />
            </Stack>
          </Fieldset>
          <Stack gap={6}>
            <Checkbox
              label="Read-only: refuse every write"
              checked={values.readOnly}
              onChange={(event) => set("readOnly", event.currentTarget.checked)}
              data-testid="profile-form-read-only"
            />
            <Checkbox
              label="Production: read-only unless unlocked"
              checked={values.production}
              onChange={(event) => set("production", event.currentTarget.checked)}
              data-testid="profile-form-production"
            />
            {values.production && (
              <Checkbox
                ml="xl"
                color="red"
                label="Unlocked: allow writes to this production namespace"
                checked={values.unlocked}
                onChange={(event) => set("unlocked", event.currentTarget.checked)}
                data-testid="profile-form-unlocked"
              />
            )}
            <Text size="xs" c="dimmed">
              {refusesWrites(values)
                ? "Deletes and TTL changes will be refused."
                : "Deletes and TTL changes will be allowed."}
            </Text>
          </Stack>
          {save.isError && <ErrorAlert error={save.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="profile-form-submit">
              {editing ? "Save" : "Add profile"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
