// The keys screen of one profile: browser on the left, the selected key's detail on the right.
// Mounted per profile (keyed by name), so switching profile resets filter and selection.
import { Group, Paper } from "@mantine/core";
import { useState } from "react";
import { EmptyState } from "../feedback/QueryStates";
import { KeyBrowser } from "./KeyBrowser";
import { KeyDetail } from "./KeyDetail";

export function KeysScreen({ profile }: { profile: string }) {
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  return (
    <Group h="100%" gap="md" align="stretch" wrap="nowrap">
      <Paper withBorder w={{ base: 320, lg: 420 }} style={{ flexShrink: 0 }}>
        <KeyBrowser profile={profile} selectedKey={selectedKey} onSelect={setSelectedKey} />
      </Paper>
      <Paper withBorder flex={1} miw={0} p="md" style={{ overflow: "auto" }}>
        {selectedKey === null ? (
          <EmptyState title="No key selected" description="Select a key to see its value." />
        ) : (
          <KeyDetail key={selectedKey} profile={profile} keyName={selectedKey} />
        )}
      </Paper>
    </Group>
  );
}
