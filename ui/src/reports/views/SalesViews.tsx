// Typed views of the sales reports: closed deals, team performance, uploads month to date, the
// per-rep report and the upload ranking.
import { Badge, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import { useMemo } from "react";
import { EChart } from "../../charts/EChart";
import { formatCount } from "../../format/count";
import { barOption, dailyOption } from "../chartOptions";
import { type Column, DataTable } from "../DataTable";
import { asNumber, asText, displayDate, displayValue } from "../payload";
import { formatPercent } from "../reportFormat";
import { StatCard, StatGrid } from "../StatCard";
import {
  closeCases,
  mtdUploads,
  type PeriodFigures,
  repReport,
  teamPerformance,
  uploadRanking,
} from "./extract";
import { Section, StatusBadge } from "./Section";

const count = (n: number | null) => (n === null ? "—" : formatCount(n));
const score = (n: number | null) => (n === null ? "—" : displayValue(n));

const money = (value: unknown) => {
  const n = asNumber(value);
  return n === null
    ? "—"
    : n.toLocaleString("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
};

const DEAL_COLUMNS: Column[] = [
  { key: "customerNumber", label: "Customer" },
  { key: "companyName", label: "Company" },
  { key: "ownerName", label: "Owner" },
  { key: "amount", label: "Amount", numeric: true, render: (r) => money(r.amount) },
  { key: "closedAt", label: "Closed", date: true },
];

export function CloseCasesView({ payload }: { payload: unknown }) {
  const data = useMemo(() => closeCases(payload), [payload]);
  const wonTotal = data.won.reduce((sum, r) => sum + (asNumber(r.amount) ?? 0), 0);
  return (
    <Stack gap="lg" data-testid="view-close-cases">
      <StatGrid>
        <StatCard
          label="Win rate this week"
          value={formatPercent(data.week.winRate)}
          raw={data.week.winRate}
          testId="close-cases-week-win-rate"
          hint={`${count(data.week.wonCount)} won · ${count(data.week.lostCount)} lost`}
        />
        <StatCard
          label="Win rate month to date"
          value={formatPercent(data.mtd.winRate)}
          raw={data.mtd.winRate}
          testId="close-cases-mtd-win-rate"
          hint={`${count(data.mtd.wonCount)} won · ${count(data.mtd.lostCount)} lost`}
        />
        <StatCard
          label="Won this week"
          value={count(data.week.wonCount)}
          raw={data.week.wonCount}
          testId="close-cases-week-won"
          hint={`${money(wonTotal)} in total`}
        />
        <StatCard
          label="Lost this week"
          value={count(data.week.lostCount)}
          raw={data.week.lostCount}
          testId="close-cases-week-lost"
        />
      </StatGrid>
      <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="lg">
        <Section title="Won this week" count={data.won.length}>
          <DataTable
            rows={data.won}
            columns={DEAL_COLUMNS}
            testId="close-cases-won"
            rowTestId="close-cases-won-row"
            emptyText="No deal won this week yet."
          />
        </Section>
        <Section title="Lost this week" count={data.lost.length}>
          <DataTable
            rows={data.lost}
            columns={DEAL_COLUMNS}
            testId="close-cases-lost"
            rowTestId="close-cases-lost-row"
            emptyText="No deal lost this week."
          />
        </Section>
      </SimpleGrid>
    </Stack>
  );
}

export function TeamPerformanceView({ payload }: { payload: unknown }) {
  const data = useMemo(() => teamPerformance(payload), [payload]);
  const chart = useMemo(
    () =>
      barOption({
        categories: data.rows.map((r) => asText(r.userName) ?? "?"),
        values: data.rows.map((r) => asNumber(r.weekUploads) ?? 0),
        seriesName: "Uploads this week",
        horizontal: true,
      }),
    [data],
  );
  return (
    <Stack gap="lg" data-testid="view-team-performance">
      <Group gap="xs">
        <Text size="sm" c="dimmed">
          Department
        </Text>
        <Badge variant="light" tt="none" data-testid="team-performance-department">
          {data.department ?? "—"}
        </Badge>
      </Group>
      <Section title="Uploads this week" count={data.rows.length}>
        {data.rows.length === 0 ? (
          <Text size="sm" c="dimmed">
            No active rep in this department.
          </Text>
        ) : (
          <EChart
            option={chart}
            height={Math.max(140, data.rows.length * 32 + 40)}
            testId="team-performance-chart"
            data-bars={data.rows.length}
            ariaLabel="Uploads this week per rep"
          />
        )}
      </Section>
      <Section title="Reps">
        <DataTable
          rows={data.rows}
          testId="team-performance-table"
          rowTestId="team-performance-row"
          columns={[
            { key: "userName", label: "Rep" },
            { key: "weekUploads", label: "Uploads", numeric: true },
            { key: "avgMeddic", label: "Avg MEDDIC", numeric: true },
            { key: "weekWon", label: "Won", numeric: true },
          ]}
        />
      </Section>
    </Stack>
  );
}

export function MtdUploadsView({ payload }: { payload: unknown }) {
  const data = useMemo(() => mtdUploads(payload), [payload]);
  const chart = useMemo(() => dailyOption(data.byDay), [data]);
  const best = data.byDay.reduce<{ date: string; uploads: number } | null>(
    (top, d) => (top === null || d.uploads > top.uploads ? d : top),
    null,
  );
  return (
    <Stack gap="lg" data-testid="view-mtd-uploads">
      <StatGrid>
        <StatCard
          label="Uploads month to date"
          value={count(data.total)}
          raw={data.total}
          testId="mtd-uploads-total"
          hint={data.month ?? undefined}
        />
        <StatCard
          label="Active uploaders"
          value={formatCount(data.byUser.length)}
          raw={data.byUser.length}
          testId="mtd-uploads-uploaders"
        />
        <StatCard
          label="Busiest day"
          value={best && best.uploads > 0 ? displayDate(best.date) : "—"}
          raw={best?.uploads ?? null}
          testId="mtd-uploads-busiest-day"
          hint={best && best.uploads > 0 ? `${formatCount(best.uploads)} uploads` : undefined}
        />
      </StatGrid>
      <Section title="Uploads per day">
        {data.byDay.length === 0 ? (
          <Text size="sm" c="dimmed">
            No day of this month yet.
          </Text>
        ) : (
          <EChart
            option={chart}
            height={260}
            testId="mtd-uploads-chart"
            data-days={data.byDay.length}
            ariaLabel="Uploads per day this month"
          />
        )}
      </Section>
      <Section title="Per rep" count={data.byUser.length}>
        <DataTable
          rows={data.byUser}
          testId="mtd-uploads-by-user"
          rowTestId="mtd-uploads-user"
          columns={[
            { key: "userName", label: "Rep" },
            { key: "department", label: "Department" },
            { key: "uploads", label: "Uploads", numeric: true },
          ]}
          emptyText="No upload this month yet."
        />
      </Section>
    </Stack>
  );
}

function PeriodCards({
  figures,
  prefix,
  testId,
}: {
  figures: PeriodFigures;
  prefix: string;
  testId: string;
}) {
  return (
    <StatGrid>
      <StatCard
        label={`Uploads ${prefix}`}
        value={count(figures.uploads)}
        raw={figures.uploads}
        testId={`${testId}-uploads`}
      />
      <StatCard
        label={`Avg MEDDIC ${prefix}`}
        value={score(figures.avgMeddic)}
        raw={figures.avgMeddic}
        testId={`${testId}-meddic`}
      />
      <StatCard
        label={`Won ${prefix}`}
        value={count(figures.won)}
        raw={figures.won}
        testId={`${testId}-won`}
      />
      <StatCard
        label={`Lost ${prefix}`}
        value={count(figures.lost)}
        raw={figures.lost}
        testId={`${testId}-lost`}
      />
    </StatGrid>
  );
}

export function RepView({ payload }: { payload: unknown }) {
  const data = useMemo(() => repReport(payload), [payload]);
  return (
    <Stack gap="lg" data-testid="view-rep">
      <Group gap="lg">
        <Text fw={700} size="lg" data-testid="rep-name">
          {data.userName ?? "Unknown rep"}
        </Text>
        <Text size="sm" c="dimmed">
          {data.department ?? "—"} · manager {data.managerName ?? "—"}
        </Text>
      </Group>
      <Section title="This week">
        <PeriodCards figures={data.thisWeek} prefix="this week" testId="rep-week" />
      </Section>
      <Section title="Month to date">
        <PeriodCards figures={data.monthToDate} prefix="MTD" testId="rep-mtd" />
      </Section>
      <SimpleGrid cols={2} spacing="sm">
        <StatCard
          label="Open opportunities"
          value={count(data.openOpportunities)}
          raw={data.openOpportunities}
          testId="rep-open-opportunities"
        />
        <StatCard
          label="Overdue to-dos"
          value={count(data.overdueTodos)}
          raw={data.overdueTodos}
          testId="rep-overdue-todos"
        />
      </SimpleGrid>
      <Section title="Recent conversations" count={data.recent.length}>
        <DataTable
          rows={data.recent}
          testId="rep-recent-conversations"
          rowTestId="rep-recent-conversation"
          columns={[
            { key: "caseNumber", label: "Case" },
            { key: "status", label: "Status", render: (r) => <StatusBadge value={r.status} /> },
            { key: "meddicScore", label: "MEDDIC", numeric: true },
            { key: "createdAt", label: "Uploaded", date: true },
          ]}
          emptyText="No conversation uploaded yet."
        />
      </Section>
    </Stack>
  );
}

export function UploadRankingView({ payload }: { payload: unknown }) {
  const data = useMemo(() => uploadRanking(payload), [payload]);
  return (
    <Stack gap="lg" data-testid="view-upload-ranking">
      <Group gap="xs">
        <Badge variant="light" tt="none" data-testid="upload-ranking-period">
          {data.period ?? "—"}
        </Badge>
        <Text size="sm" c="dimmed">
          since {displayDate(data.from)}
        </Text>
      </Group>
      <DataTable
        rows={data.rankings}
        testId="upload-ranking-table"
        rowTestId="upload-ranking-row"
        columns={[
          {
            key: "rank",
            label: "Rank",
            numeric: true,
            render: (r) => {
              const rank = asNumber(r.rank);
              const medal = rank === 1 ? "🥇 " : rank === 2 ? "🥈 " : rank === 3 ? "🥉 " : "";
              return `${medal}${displayValue(r.rank)}`;
            },
          },
          { key: "userName", label: "Rep" },
          { key: "department", label: "Department" },
          { key: "uploads", label: "Uploads", numeric: true },
          { key: "avgMeddic", label: "Avg MEDDIC", numeric: true },
        ]}
        emptyText="No upload in this period yet."
      />
    </Stack>
  );
}
