// A figure on a card: label, big value, an optional hint and change arrow. The value element
// carries data-testid and data-value (the raw number) for tests.
import { Group, Paper, SimpleGrid, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { trend } from "./reportFormat";

export function StatCard({
  label,
  value,
  raw,
  testId,
  hint,
  change,
  changeText,
  goodWhenUp = true,
}: {
  label: string;
  /** The figure as shown ("50.0 %"). */
  value: string;
  /** The figure as a number, for data-value. */
  raw: number | null;
  testId: string;
  hint?: ReactNode;
  /** A signed change; shown with an arrow (green when it goes the good way). */
  change?: number | null;
  changeText?: string;
  goodWhenUp?: boolean;
}) {
  const direction = change === undefined ? null : trend(change);
  const good = direction === "flat" ? null : (direction === "up") === goodWhenUp;
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Group gap="xs" align="baseline" wrap="nowrap">
        <Text
          fz={26}
          fw={700}
          lh={1.3}
          data-testid={testId}
          data-value={raw === null ? "" : String(raw)}
        >
          {value}
        </Text>
        {direction !== null && changeText !== undefined && (
          <Text
            size="sm"
            fw={600}
            c={good === null ? "dimmed" : good ? "teal" : "red"}
            data-testid={`${testId}-change`}
            data-trend={direction}
          >
            {direction === "up" ? "▲" : direction === "down" ? "▼" : "▬"} {changeText}
          </Text>
        )}
      </Group>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

export function StatGrid({ children }: { children: ReactNode }) {
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
      {children}
    </SimpleGrid>
  );
}
