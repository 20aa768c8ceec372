// "Set TTL": a small form in a popover taking whole seconds (at least 60, KV's minimum) or
// "never". A saved TTL shows at once in the listing and the detail.
import { Button, Group, Popover, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../feedback/QueryStates";
import { formatDuration } from "../format/expiry";
import type { ProfileView } from "../ipc/bindings";
import { setKeyTtl } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { setKeyExpirationInListings } from "./keyCache";
import { expirationFromTtl, parseTtlInput, TTL_PRESETS } from "./ttlInput";
import { WriteButton } from "./WriteButton";

function TtlForm({
  profile,
  keyName,
  onDone,
}: {
  profile: string;
  keyName: string;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [touched, setTouched] = useState(false);
  const parsed = parseTtlInput(text);
  const save = useMutation({
    mutationFn: (ttlSeconds: number | null) => setKeyTtl({ profile, key: keyName, ttlSeconds }),
    onSuccess: (_, ttlSeconds) => {
      setKeyExpirationInListings(
        queryClient,
        profile,
        keyName,
        expirationFromTtl(ttlSeconds, Date.now()),
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.keyValue(profile, keyName) });
      onDone();
    },
  });

  const submit = () => {
    setTouched(true);
    if (parsed.ok) save.mutate(parsed.ttlSeconds);
  };

  let hint = "Seconds from now, at least 60; or never";
  if (parsed.ok) {
    hint =
      parsed.ttlSeconds === null
        ? "Never expires"
        : `Expires in ${formatDuration(parsed.ttlSeconds)}`;
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <Stack gap="xs" w={260}>
        <TextInput
          label="Time to live"
          placeholder="3600 or never"
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          onBlur={() => setTouched(text !== "")}
          error={touched && !parsed.ok ? parsed.error : undefined}
          description={touched && !parsed.ok ? undefined : hint}
          data-testid="ttl-input"
          spellCheck={false}
          autoComplete="off"
          data-autofocus
        />
        <Group gap={4}>
          {TTL_PRESETS.map((preset) => (
            <Button
              key={preset.value}
              size="compact-xs"
              variant="light"
              color="gray"
              onClick={() => {
                setText(preset.value);
                setTouched(true);
              }}
            >
              {preset.label}
            </Button>
          ))}
        </Group>
        {save.isError && <ErrorAlert error={save.error} />}
        <Group justify="flex-end" gap="xs">
          <Button size="compact-sm" variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button
            size="compact-sm"
            type="submit"
            loading={save.isPending}
            disabled={touched && !parsed.ok}
            data-testid="ttl-submit"
          >
            Save TTL
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          KV rewrites the value to change its expiry.
        </Text>
      </Stack>
    </form>
  );
}

export function KeyTtlPopover({ profile, keyName }: { profile: ProfileView; keyName: string }) {
  const [opened, setOpened] = useState(false);
  return (
    <Popover opened={opened} onChange={setOpened} trapFocus position="bottom-end" shadow="md">
      <Popover.Target>
        <WriteButton
          size="compact-sm"
          variant="default"
          readOnly={profile.readOnly}
          testId="set-ttl-open"
          onClick={() => setOpened((o) => !o)}
        >
          Set TTL
        </WriteButton>
      </Popover.Target>
      <Popover.Dropdown>
        {opened && (
          <TtlForm profile={profile.name} keyName={keyName} onDone={() => setOpened(false)} />
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
