// "Delete" for one key, behind a confirmation naming the key. Refused up front on a read-only
// profile; the core refuses it too.
import { Alert, Code, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmActions } from "../feedback/ConfirmActions";
import type { ProfileView } from "../ipc/bindings";
import { deleteKey } from "../ipc/commands";
import { removeKeyFromListings } from "./keyCache";
import { WriteButton } from "./WriteButton";

export function DeleteKeyButton({
  profile,
  keyName,
  onDeleted,
}: {
  profile: ProfileView;
  keyName: string;
  /** Called after the delete with whether the key still existed. */
  onDeleted: (existed: boolean) => void;
}) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => deleteKey({ profile: profile.name, key: keyName }),
    onSuccess: (existed) => {
      removeKeyFromListings(queryClient, profile.name, keyName);
      setConfirming(false);
      onDeleted(existed);
    },
  });
  const close = () => {
    if (remove.isPending) return;
    setConfirming(false);
    remove.reset();
  };

  return (
    <>
      <WriteButton
        size="compact-sm"
        variant="light"
        color="red"
        readOnly={profile.readOnly}
        testId="delete-key-open"
        onClick={() => setConfirming(true)}
      >
        Delete
      </WriteButton>
      <Modal opened={confirming} onClose={close} title="Delete key" size="md">
        <Stack gap="md" data-testid="delete-key-modal">
          <Text size="sm">
            Delete <Code style={{ overflowWrap: "anywhere" }}>{keyName}</Code> from profile{" "}
            <b>{profile.name}</b>? This cannot be undone.
          </Text>
          {profile.production && (
            <Alert color="red" variant="light" title="Production profile">
              Readers of this report fall back to Postgres until it is precomputed again.
            </Alert>
          )}
          <ConfirmActions
            error={remove.isError ? remove.error : null}
            pending={remove.isPending}
            onCancel={close}
            onConfirm={() => remove.mutate()}
            testId="delete-key-confirm"
            autoFocus
          >
            Delete key
          </ConfirmActions>
        </Stack>
      </Modal>
    </>
  );
}
