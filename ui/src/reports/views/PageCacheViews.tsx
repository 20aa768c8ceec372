// Typed views of the page caches: the per-user dashboard, conversation list and opportunity list.
import { SimpleGrid, Stack, Text } from "@mantine/core";
import { useMemo } from "react";
import { EChart } from "../../charts/EChart";
import { formatCount } from "../../format/count";
import { donutOption } from "../chartOptions";
import { DataTable } from "../DataTable";
import { asNumber, displayValue } from "../payload";
import { StatCard, StatGrid } from "../StatCard";
import { dashboard, itemList } from "./extract";
import { Section, StatusBadge } from "./Section";

const count = (n: number | null) => (n === null ? "—" : formatCount(n));

export function DashboardView({ payload }: { payload: unknown }) {
  const data = useMemo(() => dashboard(payload), [payload]);
  const chart = useMemo(() => donutOption(data.statusDistribution), [data]);
  const { summary } = data;
  return (
    <Stack gap="lg" data-testid="view-dashboard">
      <StatGrid>
        <StatCard
          label="Opportunities"
          value={count(summary.totalOpportunities)}
          raw={summary.totalOpportunities}
          testId="dashboard-opportunities"
        />
        <StatCard
          label="Conversations"
          value={count(summary.totalConversations)}
          raw={summary.totalConversations}
          testId="dashboard-conversations"
        />
        <StatCard
          label="Analyses"
          value={count(summary.totalAnalyses)}
          raw={summary.totalAnalyses}
          testId="dashboard-analyses"
        />
        <StatCard
          label="Average MEDDIC"
          value={summary.averageScore === null ? "—" : displayValue(summary.averageScore)}
          raw={summary.averageScore}
          testId="dashboard-average-score"
        />
      </StatGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <Section title="Status distribution">
          {data.statusDistribution.every((s) => s.count === 0) ? (
            <Text size="sm" c="dimmed">
              No analysis yet.
            </Text>
          ) : (
            <EChart
              option={chart}
              height={240}
              testId="dashboard-status-chart"
              ariaLabel={`MEDDIC status distribution: ${data.statusDistribution.map((s) => `${s.status} ${s.count}`).join(", ")}`}
            />
          )}
        </Section>
        <Section title="Recent analyses" count={data.recent.length}>
          <DataTable
            rows={data.recent}
            testId="dashboard-recent-analyses"
            rowTestId="dashboard-recent-analysis"
            columns={[
              { key: "caseNumber", label: "Case" },
              { key: "companyName", label: "Company" },
              { key: "overallScore", label: "Score", numeric: true },
              { key: "status", label: "Status", render: (r) => <StatusBadge value={r.status} /> },
              { key: "createdAt", label: "Analysed", date: true },
            ]}
            emptyText="No analysis yet."
          />
        </Section>
      </SimpleGrid>
    </Stack>
  );
}

export function ConversationListView({ payload }: { payload: unknown }) {
  const data = useMemo(() => itemList(payload), [payload]);
  return (
    <Stack gap="md" data-testid="view-conversation-list">
      <Text size="sm" c="dimmed" data-testid="item-list-total" data-total={data.total ?? ""}>
        Showing {formatCount(data.items.length)} of {count(data.total)} conversations (newest first)
      </Text>
      <DataTable
        rows={data.items}
        testId="conversation-list-table"
        rowTestId="conversation-list-row"
        maxHeight={560}
        columns={[
          { key: "caseNumber", label: "Case" },
          { key: "title", label: "Title" },
          { key: "status", label: "Status", render: (r) => <StatusBadge value={r.status} /> },
          { key: "opportunityCompanyName", label: "Company" },
          { key: "meddicScore", label: "MEDDIC", numeric: true },
          { key: "createdAt", label: "Uploaded", date: true },
        ]}
        emptyText="No conversation."
      />
    </Stack>
  );
}

export function OpportunityListView({ payload }: { payload: unknown }) {
  const data = useMemo(() => itemList(payload), [payload]);
  return (
    <Stack gap="md" data-testid="view-opportunity-list">
      <Text size="sm" c="dimmed" data-testid="item-list-total" data-total={data.total ?? ""}>
        {count(data.total)} opportunities (latest update first)
      </Text>
      <DataTable
        rows={data.items}
        testId="opportunity-list-table"
        rowTestId="opportunity-list-row"
        maxHeight={560}
        columns={[
          { key: "customerNumber", label: "Customer" },
          { key: "companyName", label: "Company" },
          { key: "contactName", label: "Contact" },
          { key: "status", label: "Status", render: (r) => <StatusBadge value={r.status} /> },
          {
            key: "amount",
            label: "Amount",
            numeric: true,
            render: (r) => {
              const n = asNumber(r.amount);
              return n === null
                ? "—"
                : n.toLocaleString("en-US", {
                    style: "currency",
                    currency: "USD",
                    maximumFractionDigits: 0,
                  });
            },
          },
          { key: "meddicScore", label: "MEDDIC", numeric: true },
          { key: "conversationCount", label: "Calls", numeric: true },
          { key: "updatedAt", label: "Updated", date: true },
        ]}
        emptyText="No opportunity."
      />
    </Stack>
  );
}
