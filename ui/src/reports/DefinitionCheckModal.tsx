// "Check definitions": every report definition against the profile's database, writing
// nothing. Each statement is prepared, run read-only for one sample fan-out row and checked
// against its contract; the table says ok (the sample key, its size, the contract matched) or
// what failed and where in the SQL.
import { Alert, Badge, Button, Group, Modal, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ErrorAlert, LoadingState } from "../feedback/QueryStates";
import { formatBytes } from "../format/bytes";
import { countNoun } from "../format/count";
import type { DefinitionCheck, ProfileView } from "../ipc/bindings";
import { checkReportDefinitions } from "../ipc/commands";

/** What a check says, in one line. */
export function checkLine(check: DefinitionCheck): string {
  if (check.ok) {
    const size = check.sampleBytes === null ? "" : ` (${formatBytes(check.sampleBytes)})`;
    const contract = check.contract === null ? "" : `; matches ${check.contract}`;
    return `${check.sampleKey ?? ""}${size}${contract}`;
  }
  const place =
    check.line !== null && check.column !== null
      ? ` (line ${check.line}, column ${check.column})`
      : "";
  return `${check.error ?? "failed"}${place}`;
}

const STAGE_LABEL: Record<NonNullable<DefinitionCheck["stage"]>, string> = {
  fanOut: "fan-out",
  sql: "SQL",
  result: "result",
  run: "run",
  contract: "contract",
};

export function DefinitionCheckModal({
  profile,
  onClose,
}: {
  profile: ProfileView;
  onClose: () => void;
}) {
  const checks = useQuery({
    queryKey: ["report-definition-check", profile.name],
    queryFn: () => checkReportDefinitions({ profile: profile.name, reports: [] }),
    gcTime: 0,
    retry: false,
  });
  const failed = checks.data?.filter((c) => !c.ok).length ?? 0;
  return (
    <Modal opened onClose={onClose} title="Check definitions" size="xl">
      <Stack gap="sm" data-testid="definition-check">
        <Text size="sm" c="dimmed">
          Each definition is prepared and run read-only against {profile.name}'s database for one
          sample key, then checked against its contract. Nothing is written.
        </Text>
        {checks.isPending && <LoadingState label="Checking definitions…" />}
        {checks.isError && <ErrorAlert error={checks.error} onRetry={() => checks.refetch()} />}
        {checks.data && (
          <>
            <Alert
              color={failed === 0 ? "teal" : "red"}
              variant="light"
              data-testid="definition-check-summary"
              data-failed={failed}
            >
              {failed === 0
                ? `All ${countNoun(checks.data.length, "definition")} check out.`
                : `${countNoun(failed, "definition")} of ${checks.data.length} failed.`}
            </Alert>
            <Table.ScrollContainer minWidth={640} maxHeight={420} type="native">
              <Table fz="sm" verticalSpacing={4} stickyHeader>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Report</Table.Th>
                    <Table.Th>Result</Table.Th>
                    <Table.Th>Detail</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {checks.data.map((check) => (
                    <Table.Tr
                      key={check.report}
                      data-testid="definition-check-row"
                      data-report={check.report}
                      data-ok={check.ok}
                    >
                      <Table.Td ff="monospace">{check.report}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={check.ok ? "teal" : "red"}>
                          {check.ok ? "ok" : (STAGE_LABEL[check.stage ?? "run"] ?? "failed")}
                        </Badge>
                      </Table.Td>
                      <Table.Td style={{ overflowWrap: "anywhere" }}>{checkLine(check)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => checks.refetch()} loading={checks.isFetching}>
            Check again
          </Button>
          <Button onClick={onClose} data-testid="definition-check-close">
            Close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
