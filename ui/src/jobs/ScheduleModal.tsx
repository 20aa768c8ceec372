// Editing a job's schedule: a cron expression (empty: by hand only) and an IANA time zone. The
// core checks both; its refusal shows next to the field it names.
import { Autocomplete, Button, Code, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { ErrorAlert } from "../feedback/QueryStates";
import type { JobView, ProfileView } from "../ipc/bindings";
import { setJobSchedule } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import {
  checkScheduleDraft,
  type ScheduleDraft,
  scheduleArgs,
  scheduleErrorField,
} from "./jobForms";

function timeZones(): string[] {
  try {
    return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")];
  } catch {
    return ["UTC"];
  }
}

export function ScheduleModal({
  profile,
  job,
  onClose,
}: {
  profile: ProfileView;
  job: JobView;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const zones = useMemo(timeZones, []);
  const [draft, setDraft] = useState<ScheduleDraft>({
    cron: job.schedule ?? "",
    timeZone: job.timeZone,
  });
  const [checked, setChecked] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      setJobSchedule({ profile: profile.name, job: job.name, ...scheduleArgs(draft) }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs(profile.name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.scheduler() });
      onClose();
    },
  });
  const local = checked ? checkScheduleDraft(draft) : {};
  const coreMessage = save.error instanceof Error ? save.error.message : null;
  const coreField = coreMessage ? scheduleErrorField(coreMessage) : null;
  const edit = (next: Partial<ScheduleDraft>) => {
    setDraft((d) => ({ ...d, ...next }));
    if (save.isError) save.reset();
  };

  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>Schedule of {job.name}</Text>} size="md">
      <form
        data-testid="job-schedule-modal"
        onSubmit={(event) => {
          event.preventDefault();
          setChecked(true);
          if (Object.keys(checkScheduleDraft(draft)).length === 0) save.mutate();
        }}
      >
        <Stack gap="md">
          {job.needsParameter ? (
            <Text size="sm" c="dimmed">
              This job needs a user id for each run, so it runs by hand only.
            </Text>
          ) : (
            <Text size="sm" c="dimmed">
              Five fields: minute hour day-of-month month day-of-week, e.g.{" "}
              <Code>*/15 * * * *</Code> (every 15 minutes) or <Code>0 2 * * *</Code> (02:00). Leave
              empty to run it by hand only.
            </Text>
          )}
          <TextInput
            label="Cron expression"
            placeholder="by hand only"
            ff="monospace"
            value={draft.cron}
            onChange={(event) => edit({ cron: event.currentTarget.value })}
            error={local.cron ?? (coreField === "cron" ? coreMessage : null)}
            disabled={job.needsParameter}
            data-autofocus
            data-testid="job-schedule-cron"
          />
          <Autocomplete
            label="Time zone"
            description="IANA name; the schedule's times are in this zone (daylight saving included)"
            data={zones}
            limit={20}
            value={draft.timeZone}
            onChange={(timeZone) => edit({ timeZone })}
            error={local.timeZone ?? (coreField === "timeZone" ? coreMessage : null)}
            data-testid="job-schedule-tz"
          />
          {save.isError && coreField === null && <ErrorAlert error={save.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} data-testid="job-schedule-save">
              Save schedule
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
