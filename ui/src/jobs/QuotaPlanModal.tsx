// The quota plan: what the report-writing jobs' schedules cost a day in KV writes and lists
// against the profile's plan, per report and in total (the busiest day of a week played from the
// job settings), with the definitions whose TTL ends before their next run named.
import { Alert, Badge, Button, Group, List, Modal, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ErrorAlert, LoadingState } from "../feedback/QueryStates";
import { formatCount } from "../format/count";
import type { QuotaPlan } from "../ipc/bindings";
import { quotaPlan } from "../ipc/commands";

/** A share of the plan as a percentage with one decimal. */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** The one-line verdict of a plan. */
export function planVerdict(plan: QuotaPlan): { text: string; over: boolean } {
  const { totals, limits } = plan;
  if (totals.over.length > 0)
    return { text: `Over the plan: ${totals.over.join(", ")}`, over: true };
  return {
    text: `Within the plan: ${formatCount(totals.writes)} of ${formatCount(limits.writes)} writes a day (${formatShare(totals.writesShare)})`,
    over: false,
  };
}

export function QuotaPlanModal({ profile, onClose }: { profile: string; onClose: () => void }) {
  const plan = useQuery({
    queryKey: ["quota-plan", profile],
    queryFn: () => quotaPlan({ profile }),
    gcTime: 0,
    retry: false,
  });
  const verdict = plan.data ? planVerdict(plan.data) : null;
  return (
    <Modal opened onClose={onClose} title="Quota plan" size="xl">
      <Stack gap="sm" data-testid="quota-plan">
        <Text size="sm" c="dimmed">
          KV writes and lists a day of the jobs that write reports, on the busiest day of a week
          played from their schedules, against the profile's plan. Each report's keys are counted by
          its fan-out query.
        </Text>
        {plan.isPending && <LoadingState label="Counting keys…" />}
        {plan.isError && <ErrorAlert error={plan.error} onRetry={() => plan.refetch()} />}
        {plan.data && verdict && (
          <>
            <Alert
              color={verdict.over ? "red" : "teal"}
              variant="light"
              data-testid="quota-plan-verdict"
              data-over={verdict.over}
            >
              {verdict.text}
            </Alert>
            <Table.ScrollContainer minWidth={640} maxHeight={360} type="native">
              <Table fz="sm" verticalSpacing={4} stickyHeader>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Report</Table.Th>
                    <Table.Th ta="right">Keys</Table.Th>
                    <Table.Th ta="right">TTL</Table.Th>
                    <Table.Th ta="right">Runs/day</Table.Th>
                    <Table.Th ta="right">Writes/day</Table.Th>
                    <Table.Th ta="right">Share</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {plan.data.reports.map((report) => (
                    <Table.Tr
                      key={report.name}
                      data-testid="quota-plan-row"
                      data-report={report.name}
                      data-writes={report.writesPerDay}
                    >
                      <Table.Td ff="monospace">
                        {report.name}{" "}
                        {report.expiresBeforeNextRun && (
                          <Badge color="red" variant="light" size="xs">
                            expires before its next run
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td ta="right">{formatCount(report.keys)}</Table.Td>
                      <Table.Td ta="right">{formatCount(report.ttl)} s</Table.Td>
                      <Table.Td ta="right">{formatCount(report.runsPerDay)}</Table.Td>
                      <Table.Td ta="right">{formatCount(report.writesPerDay)}</Table.Td>
                      <Table.Td ta="right">{formatShare(report.writeShare)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Text size="sm">
              Lists a day: {formatCount(plan.data.totals.lists)} of{" "}
              {formatCount(plan.data.limits.lists)} ({formatShare(plan.data.totals.listsShare)});
              writes if every run changed every value:{" "}
              {formatCount(plan.data.totals.writesIfChanging)}.
            </Text>
            {plan.data.findings.length > 0 && (
              <List size="sm" data-testid="quota-plan-findings">
                {plan.data.findings.map((finding) => (
                  <List.Item key={finding}>{finding}</List.Item>
                ))}
              </List>
            )}
          </>
        )}
        <Group justify="flex-end">
          <Button onClick={onClose} data-testid="quota-plan-close">
            Close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
