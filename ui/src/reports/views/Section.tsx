// A titled block of a report view, and the small badges its tables use.
import { Badge, Group, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { STATUS_COLORS } from "../chartOptions";
import { asText } from "../payload";

export function Section({
  title,
  count,
  description,
  testId,
  children,
}: {
  title: string;
  count?: number;
  description?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <Stack gap={6} data-testid={testId}>
      <Group gap="xs" align="baseline">
        <Title order={5}>{title}</Title>
        {count !== undefined && (
          <Badge size="sm" variant="light" color="gray">
            {count}
          </Badge>
        )}
      </Group>
      {description && (
        <Text size="xs" c="dimmed" mt={-4}>
          {description}
        </Text>
      )}
      {children}
    </Stack>
  );
}

const CONVERSATION_COLORS: Record<string, string> = {
  pending: "gray",
  processing: "blue",
  completed: "teal",
  failed: "red",
  open: "blue",
  won: "teal",
  lost: "red",
};

/** A conversation or opportunity status, coloured. */
export function StatusBadge({ value }: { value: unknown }) {
  const text = asText(value);
  if (text === null)
    return (
      <Text span c="dimmed">
        —
      </Text>
    );
  const meddic = STATUS_COLORS[text];
  return (
    <Badge
      size="sm"
      variant="light"
      color={meddic ?? CONVERSATION_COLORS[text] ?? "gray"}
      tt="none"
    >
      {text}
    </Badge>
  );
}
