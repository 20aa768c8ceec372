// Confirmation before deleting a profile: the connection settings go, the keys in its namespace
// stay.
import { Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmActions } from "../feedback/ConfirmActions";
import type { ProfileView } from "../ipc/bindings";
import { deleteProfile } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";

export function DeleteProfileModal({
  profile,
  onClose,
}: {
  profile: ProfileView;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteProfile({ name: profile.name }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.profiles() });
      queryClient.removeQueries({ queryKey: queryKeys.profile(profile.name) });
      onClose();
    },
  });
  return (
    <Modal
      opened
      onClose={() => !remove.isPending && onClose()}
      title={`Delete profile ${profile.name}`}
    >
      <Stack gap="md" data-testid="profile-delete-modal">
        <Text size="sm">
          Delete the profile <b>{profile.name}</b>? Its connection settings are removed from this
          computer; the keys in its namespace are not touched.
        </Text>
        {profile.isDefault && (
          <Text size="sm" c="dimmed">
            It is the default profile.
          </Text>
        )}
        <ConfirmActions
          error={remove.isError ? remove.error : null}
          pending={remove.isPending}
          onCancel={onClose}
          onConfirm={() => remove.mutate()}
          testId="profile-delete-confirm"
        >
          Delete profile
        </ConfirmActions>
      </Stack>
    </Modal>
  );
}
