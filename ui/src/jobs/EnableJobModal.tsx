// Enabling a destructive job's schedule on the profile's database: destructive jobs start with
// their schedule disabled, and run on it only once someone typed the job's name here (or in the
// CLI). The core checks the typed name again and audits the change.
import { Alert, Button, Code, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../feedback/QueryStates";
import type { JobView, ProfileView } from "../ipc/bindings";
import { setJobEnabled } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { scheduleText } from "./jobFormat";
import { confirms } from "./runFlow";

export function EnableJobModal({
  profile,
  job,
  onClose,
}: {
  profile: ProfileView;
  job: JobView;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const enable = useMutation({
    mutationFn: () =>
      setJobEnabled({ profile: profile.name, job: job.name, enabled: true, confirmation: typed }),
    onSuccess: () => onClose(),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs(profile.name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.scheduler() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.auditAll() });
    },
  });
  const ready = confirms(job, typed);

  return (
    <Modal
      opened
      onClose={onClose}
      title={<Text fw={600}>Enable the schedule of {job.name}</Text>}
      size="md"
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (ready && !enable.isPending) enable.mutate();
        }}
      >
        <Stack gap="md" data-testid="job-enable-modal" data-job={job.name}>
          <Text size="sm">
            <b>{job.name}</b> deletes data. Once enabled, it runs on its schedule (
            {scheduleText(job)}) on the database of profile <b>{profile.name}</b>, from every
            console and daemon pointed at it, without asking again.
          </Text>
          {profile.production && (
            <Alert color="red" variant="light" title="Production profile">
              Scheduled runs delete data readers of the production database or namespace rely on.
            </Alert>
          )}
          <TextInput
            label={
              <>
                Type <Code>{job.name}</Code> to confirm
              </>
            }
            value={typed}
            onChange={(event) => {
              setTyped(event.currentTarget.value);
              if (enable.isError) enable.reset();
            }}
            autoComplete="off"
            spellCheck={false}
            data-autofocus
            data-testid="job-enable-name"
          />
          {enable.isError && <ErrorAlert error={enable.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={enable.isPending}>
              Cancel
            </Button>
            <Button
              type="submit"
              color="red"
              disabled={!ready}
              loading={enable.isPending}
              data-testid="job-enable-submit"
            >
              Enable schedule
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
