// Editing a job's options as JSON: checked as JSON here, then by the core (names and values);
// either refusal shows under the editor. Missing fields take their defaults.
import { Button, Group, Modal, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { JobView, ProfileView } from "../ipc/bindings";
import { setJobOptions } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { optionsText, parseOptions } from "./jobForms";

export function OptionsModal({
  profile,
  job,
  onClose,
}: {
  profile: ProfileView;
  job: JobView;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [text, setText] = useState(() => optionsText(job.options));
  const [checked, setChecked] = useState(false);
  const save = useMutation({
    mutationFn: (options: Record<string, unknown>) =>
      setJobOptions({ profile: profile.name, job: job.name, options }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs(profile.name) });
      onClose();
    },
  });
  const parsed = parseOptions(text);
  const error =
    checked && !parsed.ok ? parsed.error : save.error instanceof Error ? save.error.message : null;

  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>Options of {job.name}</Text>} size="lg">
      <form
        data-testid="job-options-modal"
        onSubmit={(event) => {
          event.preventDefault();
          setChecked(true);
          if (parsed.ok) save.mutate(parsed.value);
        }}
      >
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            Shared by every console using this database. Only the fields this job uses matter;
            unknown fields are refused.
          </Text>
          <Textarea
            value={text}
            onChange={(event) => {
              setText(event.currentTarget.value);
              if (save.isError) save.reset();
            }}
            autosize
            minRows={10}
            maxRows={24}
            spellCheck={false}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 13 } }}
            error={error}
            aria-label="Options (JSON)"
            data-testid="job-options-json"
          />
          <Group justify="space-between">
            <Button
              variant="subtle"
              size="compact-sm"
              onClick={() => {
                setText(optionsText(job.options));
                save.reset();
              }}
            >
              Revert
            </Button>
            <Group gap="xs">
              <Button variant="default" onClick={onClose} disabled={save.isPending}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending} data-testid="job-options-save">
                Save options
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
