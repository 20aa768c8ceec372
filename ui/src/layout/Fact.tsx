// One labelled figure of a detail header: a small upper-case label over its value.
import { Box, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";

export function Fact({
  label,
  testId,
  children,
}: {
  label: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <Stack gap={0} data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Box fz="sm">{children}</Box>
    </Stack>
  );
}
