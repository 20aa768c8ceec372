// Typed views of the operations reports: system health, needs attention, to-dos.
import { Badge, Group, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { useMemo } from "react";
import { EChart } from "../../charts/EChart";
import { formatCount } from "../../format/count";
import { barOption } from "../chartOptions";
import { type Column, DataTable } from "../DataTable";
import { asText, displayValue } from "../payload";
import { formatSeconds, formatSigned } from "../reportFormat";
import { StatCard, StatGrid } from "../StatCard";
import { attentionNeeded, systemHealth, todoStats } from "./extract";
import { Section, StatusBadge } from "./Section";

const count = (n: number | null) => (n === null ? "—" : formatCount(n));

const STAGE_COLORS: Record<string, string> = {
  audio: "grape",
  download: "orange",
  transcription: "blue",
  analysis: "cyan",
  database: "red",
};

export function SystemHealthView({ payload }: { payload: unknown }) {
  const health = useMemo(() => systemHealth(payload), [payload]);
  const { last24h, weekly } = health;
  const errorColumns: Column[] = [
    {
      key: "code",
      label: "Error code",
      render: (r) => (
        <Text ff="monospace" fz="sm">
          {displayValue(r.code)}
        </Text>
      ),
    },
    { key: "count", label: "Count", numeric: true },
    {
      key: "stage",
      label: "Stage",
      render: (r) => {
        const stage = asText(r.stage);
        return stage ? (
          <Badge size="sm" variant="light" color={STAGE_COLORS[stage] ?? "gray"} tt="none">
            {stage}
          </Badge>
        ) : (
          "—"
        );
      },
    },
    { key: "cases", label: "Latest cases" },
  ];
  const stuckColumns: Column[] = [
    { key: "caseNumber", label: "Case" },
    { key: "companyName", label: "Company" },
    { key: "status", label: "Status", render: (r) => <StatusBadge value={r.status} /> },
    { key: "hoursStuck", label: "Hours stuck", numeric: true },
  ];
  return (
    <Stack gap="lg" data-testid="view-system-health">
      <Section title="Processing, last 24 hours">
        <StatGrid>
          <StatCard
            label="Completed"
            value={count(last24h.completed)}
            raw={last24h.completed}
            testId="system-health-completed"
          />
          <StatCard
            label="Failed"
            value={count(last24h.failed)}
            raw={last24h.failed}
            testId="system-health-failed"
          />
          <StatCard
            label="In progress"
            value={count(last24h.inProgress)}
            raw={last24h.inProgress}
            testId="system-health-in-progress"
            hint="pending or processing now"
          />
          <StatCard
            label="Avg processing time"
            value={formatSeconds(last24h.avgProcessingTime)}
            raw={last24h.avgProcessingTime}
            testId="system-health-avg-processing"
            hint="completed conversations"
          />
        </StatGrid>
      </Section>
      <Section title="Errors by code" count={health.errors.length}>
        <DataTable
          rows={health.errors}
          columns={errorColumns}
          testId="system-health-errors"
          rowTestId="system-health-error"
          rowAttrs={(r) => ({ "data-code": displayValue(r.code) })}
          emptyText="No failures in the last 24 hours."
        />
      </Section>
      <Section
        title="Stuck cases"
        count={health.stuck.length}
        description="Pending or processing for more than 2 hours"
      >
        <DataTable
          rows={health.stuck}
          columns={stuckColumns}
          testId="system-health-stuck-cases"
          rowTestId="system-health-stuck-case"
          rowAttrs={(r) => ({ "data-case": displayValue(r.caseNumber) })}
          emptyText="Nothing is stuck."
        />
      </Section>
      <Section title="This week against last week">
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
          <StatCard
            label="Uploads this week"
            value={count(weekly.thisWeek.uploads)}
            raw={weekly.thisWeek.uploads}
            testId="system-health-week-uploads"
            hint={`last week ${count(weekly.lastWeek.uploads)}`}
            change={weekly.uploadsPercent}
            changeText={formatSigned(weekly.uploadsPercent, " %")}
          />
          <StatCard
            label="Avg MEDDIC this week"
            value={
              weekly.thisWeek.avgMeddic === null ? "—" : displayValue(weekly.thisWeek.avgMeddic)
            }
            raw={weekly.thisWeek.avgMeddic}
            testId="system-health-week-meddic"
            hint={`last week ${weekly.lastWeek.avgMeddic === null ? "—" : displayValue(weekly.lastWeek.avgMeddic)}`}
            change={weekly.meddicDiff}
            changeText={formatSigned(weekly.meddicDiff, " pts")}
          />
        </SimpleGrid>
      </Section>
    </Stack>
  );
}

export function AttentionNeededView({ payload }: { payload: unknown }) {
  const data = useMemo(() => attentionNeeded(payload), [payload]);
  return (
    <Stack gap="lg" data-testid="view-attention-needed">
      <Section
        title="High score, no follow-up"
        count={data.staleHighScore.length}
        description="Open opportunities with MEDDIC ≥ 70 and no activity for over 7 days"
      >
        <DataTable
          rows={data.staleHighScore}
          testId="attention-stale-high-score"
          rowTestId="attention-stale-high-score-row"
          columns={[
            { key: "customerNumber", label: "Customer" },
            { key: "companyName", label: "Company" },
            { key: "ownerName", label: "Owner" },
            { key: "meddicScore", label: "MEDDIC", numeric: true },
            { key: "daysSinceActivity", label: "Days idle", numeric: true },
            { key: "lastActivityAt", label: "Last activity", date: true },
          ]}
          emptyText="Every strong opportunity has recent activity."
        />
      </Section>
      <Section
        title="No to-dos"
        count={data.noTodos.length}
        description="Open for over 7 days with no pending to-do"
      >
        <DataTable
          rows={data.noTodos}
          testId="attention-no-todos"
          rowTestId="attention-no-todos-row"
          columns={[
            { key: "customerNumber", label: "Customer" },
            { key: "companyName", label: "Company" },
            { key: "ownerName", label: "Owner" },
            { key: "ageDays", label: "Age (days)", numeric: true },
            { key: "createdAt", label: "Created", date: true },
          ]}
          emptyText="Every older open opportunity has a to-do."
        />
      </Section>
      <Section
        title="Inactive reps"
        count={data.inactiveReps.length}
        description="No upload this week"
      >
        <DataTable
          rows={data.inactiveReps}
          testId="attention-inactive-reps"
          rowTestId="attention-inactive-rep"
          columns={[
            { key: "userName", label: "Rep" },
            { key: "department", label: "Department" },
            { key: "lastUploadAt", label: "Last upload", date: true },
          ]}
          emptyText="Every rep uploaded this week."
        />
      </Section>
    </Stack>
  );
}

export function TodoStatsView({ payload }: { payload: unknown }) {
  const data = useMemo(() => todoStats(payload), [payload]);
  const chart = useMemo(
    () =>
      barOption({
        categories: data.overdueByUser.map((u) => u.userName),
        values: data.overdueByUser.map((u) => u.count),
        seriesName: "Overdue",
        horizontal: true,
        color: "#e03131",
      }),
    [data],
  );
  return (
    <Stack gap="lg" data-testid="view-todo-stats">
      <StatGrid>
        <StatCard
          label="Overdue"
          value={count(data.overdueTotal)}
          raw={data.overdueTotal}
          testId="todo-stats-overdue-total"
        />
        <StatCard
          label="Due today"
          value={count(data.dueTodayTotal)}
          raw={data.dueTodayTotal}
          testId="todo-stats-due-today-total"
        />
        <StatCard
          label="Follow-ups, next 7 days"
          value={formatCount(data.followUps.length)}
          raw={data.followUps.length}
          testId="todo-stats-follow-ups-total"
        />
      </StatGrid>
      <Section title="Overdue per person" count={data.overdueByUser.length}>
        {data.overdueByUser.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing is overdue.
          </Text>
        ) : (
          <EChart
            option={chart}
            height={Math.max(140, data.overdueByUser.length * 32 + 40)}
            testId="todo-stats-overdue-chart"
            data-bars={data.overdueByUser.length}
            ariaLabel={`Overdue to-dos per person: ${data.overdueByUser.map((u) => `${u.userName} ${u.count}`).join(", ")}`}
          />
        )}
      </Section>
      <Section title="Due today" count={data.dueToday.reduce((n, g) => n + g.todos.length, 0)}>
        {data.dueToday.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing is due today.
          </Text>
        ) : (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
            {data.dueToday.map((group) => (
              <Paper
                key={group.userId}
                withBorder
                p="sm"
                data-testid="todo-stats-due-today-user"
                data-user={group.userId}
              >
                <Group justify="space-between" mb={4}>
                  <Text fw={600} size="sm">
                    {group.userName}
                  </Text>
                  <Badge size="sm" variant="light">
                    {group.todos.length}
                  </Badge>
                </Group>
                <Stack gap={2}>
                  {group.todos.map((todo, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: todos of one user keep their order
                    <Text key={i} size="sm">
                      {displayValue(todo.title)}
                      {asText(todo.companyName) && (
                        <Text span c="dimmed" size="sm">
                          {" "}
                          · {asText(todo.companyName)}
                        </Text>
                      )}
                    </Text>
                  ))}
                </Stack>
              </Paper>
            ))}
          </SimpleGrid>
        )}
      </Section>
      <Section title="Follow-ups, next 7 days" count={data.followUps.length}>
        <DataTable
          rows={data.followUps}
          testId="todo-stats-follow-ups"
          rowTestId="todo-stats-follow-up"
          columns={[
            { key: "dueDate", label: "Due", date: true },
            { key: "title", label: "To-do" },
            { key: "userName", label: "Owner" },
            { key: "companyName", label: "Company" },
          ]}
          emptyText="No follow-ups in the next 7 days."
        />
      </Section>
    </Stack>
  );
}
