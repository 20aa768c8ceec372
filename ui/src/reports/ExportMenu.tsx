// "Export": the report as JSON, one of its tables as CSV, or a printable HTML page, written by
// the core into the Downloads folder; the written path is shown with a copy button.
import { Alert, Button, Code, Group, Menu, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { ErrorAlert } from "../feedback/QueryStates";
import type { ExportFormat, TableSpec } from "../ipc/bindings";
import { exportReport } from "../ipc/commands";
import { CopyTextButton } from "../keys/CopyTextButton";
import { humanizeName } from "./payload";
import type { ReportParams } from "./reportParams";

type ExportRequest = { format: ExportFormat; table: string | null; label: string };

export function useReportExport(args: {
  profile: string;
  report: string;
  params: ReportParams;
  offline: boolean;
}) {
  return useMutation({
    mutationFn: (request: ExportRequest) =>
      exportReport({ ...args, format: request.format, table: request.table }),
  });
}

export function ExportMenu({
  tables,
  state,
  disabled,
}: {
  tables: TableSpec[];
  state: ReturnType<typeof useReportExport>;
  disabled?: boolean;
}) {
  const run = (request: ExportRequest) => state.mutate(request);
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          size="xs"
          variant="default"
          loading={state.isPending}
          disabled={disabled}
          data-testid="report-export"
        >
          Export ▾
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          onClick={() => run({ format: "json", table: null, label: "JSON" })}
          data-testid="export-json"
        >
          JSON (exact value)
        </Menu.Item>
        {tables.length > 0 && <Menu.Label>CSV, one table</Menu.Label>}
        {tables.map((table) => (
          <Menu.Item
            key={table.name}
            onClick={() => run({ format: "csv", table: table.name, label: `CSV ${table.name}` })}
            data-testid="export-csv"
            data-table={table.name}
          >
            {humanizeName(table.name)}
          </Menu.Item>
        ))}
        <Menu.Divider />
        <Menu.Item
          onClick={() => run({ format: "html", table: null, label: "HTML" })}
          data-testid="export-html"
        >
          Printable HTML page
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function ExportResult({ state }: { state: ReturnType<typeof useReportExport> }) {
  if (state.isIdle || state.isPending) return null;
  if (state.isError) {
    return (
      <Stack gap={4} data-testid="export-result" data-error>
        <ErrorAlert error={state.error} />
      </Stack>
    );
  }
  return (
    <Alert
      color="teal"
      variant="light"
      p="xs"
      withCloseButton
      onClose={() => state.reset()}
      data-testid="export-result"
      data-path={state.data}
    >
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" style={{ flexShrink: 0 }}>
          {state.variables?.label} written to
        </Text>
        <Code style={{ overflowWrap: "anywhere" }} data-testid="export-path">
          {state.data}
        </Code>
        <CopyTextButton text={state.data} label="Copy path" testId="export-copy-path" />
      </Group>
    </Alert>
  );
}
