// A run's named counts as labelled figures ("Rows archived 1,000", "Key bytes 2.0 KiB").
import { Group, Text } from "@mantine/core";
import type { JobCounts } from "../ipc/bindings";
import { Fact } from "../layout/Fact";
import { countItems } from "./jobFormat";

export function RunCounts({ counts }: { counts: JobCounts | null | undefined }) {
  const items = countItems(counts);
  if (items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No counts recorded.
      </Text>
    );
  return (
    <Group gap="lg" data-testid="job-run-counts">
      {items.map((item) => (
        <Fact key={item.name} label={item.label} testId={`job-count-${item.name}`}>
          <Text span size="sm" fw={600}>
            {item.value}
          </Text>
        </Fact>
      ))}
    </Group>
  );
}
