// The keys screen of one profile: browser on the left, the selected key's detail on the right.
// Mounted per profile (keyed by name), so switching profile resets filter and selection.
import { Alert, Group, Paper, Stack } from "@mantine/core";
import { useState } from "react";
import { EmptyState } from "../feedback/QueryStates";
import type { ProfileView } from "../ipc/bindings";
import { KeyBrowser } from "./KeyBrowser";
import { KeyDetail } from "./KeyDetail";

export function KeysScreen({ profile }: { profile: ProfileView }) {
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  // What just happened to the key that was selected (deleted), shown where its detail was.
  const [notice, setNotice] = useState<string | null>(null);
  const select = (name: string) => {
    setNotice(null);
    setSelectedKey(name);
  };
  const deleted = (name: string, existed: boolean) => {
    setSelectedKey(null);
    setNotice(existed ? `Deleted “${name}”.` : `“${name}” was already gone.`);
  };

  return (
    <Group h="100%" gap="md" align="stretch" wrap="nowrap">
      <Paper withBorder w={{ base: 320, lg: 420 }} style={{ flexShrink: 0 }}>
        <KeyBrowser profile={profile} selectedKey={selectedKey} onSelect={select} />
      </Paper>
      <Paper withBorder flex={1} miw={0} p="md" style={{ overflow: "auto" }}>
        {selectedKey === null ? (
          <Stack h="100%" gap="md">
            {notice && (
              <Alert
                color="teal"
                variant="light"
                withCloseButton
                onClose={() => setNotice(null)}
                data-testid="key-notice"
              >
                {notice}
              </Alert>
            )}
            <EmptyState title="No key selected" description="Select a key to see its value." />
          </Stack>
        ) : (
          <KeyDetail
            key={selectedKey}
            profile={profile}
            keyName={selectedKey}
            onDeleted={(existed) => deleted(selectedKey, existed)}
          />
        )}
      </Paper>
    </Group>
  );
}
