// The designed loading, empty and error states every panel uses. Errors show a title for their
// code and the error's own message, never a raw payload.
import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import type { ErrorCode } from "../ipc/bindings";
import { IpcError } from "../ipc/errors";

const ERROR_TITLES: Record<ErrorCode, string> = {
  notFound: "Not found",
  invalid: "Invalid request",
  readOnlyProfile: "This profile is read-only",
  rateLimited: "Rate limited by Cloudflare",
  unavailable: "Unavailable",
  auth: "Authentication failed",
  permission: "Permission denied",
  quotaExceeded: "Quota exceeded",
  database: "Database error",
  config: "Configuration problem",
  cancelled: "Cancelled",
  internal: "Something went wrong",
};

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const title = error instanceof IpcError ? ERROR_TITLES[error.code] : ERROR_TITLES.internal;
  const message = error instanceof Error ? error.message : "Unexpected error";
  return (
    <Alert color="red" variant="light" title={title}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{message}</Text>
        {onRetry && (
          <Button size="compact-sm" variant="light" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

export function EmptyState({ title, description }: { title: string; description?: string }) {
  return (
    <Center h="100%" p="xl">
      <Stack gap={4} align="center" maw={360}>
        <Text fw={600}>{title}</Text>
        {description && (
          <Text size="sm" c="dimmed" ta="center">
            {description}
          </Text>
        )}
      </Stack>
    </Center>
  );
}

export function LoadingState({ label }: { label: string }) {
  return (
    <Center h="100%" p="xl">
      <Stack gap="xs" align="center">
        <Loader size="sm" />
        <Text size="sm" c="dimmed">
          {label}
        </Text>
      </Stack>
    </Center>
  );
}
