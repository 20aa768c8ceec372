// The Stats screen of one profile: hit rate over time per key family with the 90 % target,
// reads by outcome, latency percentiles, KV operations per day against the free plan's limits,
// the most missed families and keys. A time range, a family and hour/day are picked at the top;
// the core rolls up new events before each read. Mounted per profile.
import {
  Button,
  Group,
  Paper,
  ScrollArea,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { EChart } from "../charts/EChart";
import { EmptyState, ErrorAlert, LoadingState } from "../feedback/QueryStates";
import { formatCount } from "../format/count";
import type { CacheStats, ProfileView } from "../ipc/bindings";
import { cacheStats } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { barOption } from "../reports/chartOptions";
import { formatIsoAbsolute } from "../reports/reportFormat";
import { StatCard, StatGrid } from "../reports/StatCard";
import {
  daysOverLimit,
  hitRateOption,
  kvOperationsOption,
  latencyOption,
  readsOption,
  topMissedFamilies,
} from "./statsCharts";
import {
  formatMs,
  formatRate,
  type GranularityChoice,
  meetsTarget,
  RANGES,
  type Range,
  savedShare,
} from "./statsFormat";

const MISSED_FAMILIES_SHOWN = 10;

function ChartPanel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="sm" fw={600} mb={4}>
        {title}
      </Text>
      {children}
    </Paper>
  );
}

function targetHint(ok: boolean | null, text: string): ReactNode {
  if (ok === null) return text;
  return (
    <Text span size="xs" c={ok ? "teal" : "red"}>
      {ok ? "✓" : "✗"} {text}
    </Text>
  );
}

function Figures({ stats }: { stats: CacheStats }) {
  const { totals, targets } = stats;
  const saved = savedShare(totals);
  return (
    <StatGrid>
      <StatCard
        label="Hit rate"
        value={formatRate(totals.hitRate)}
        raw={totals.hitRate}
        testId="stats-hit-rate"
        hint={targetHint(
          meetsTarget(totals.hitRate, targets.hitRate, "atLeast"),
          `target ${formatRate(targets.hitRate)}`,
        )}
      />
      <StatCard
        label="Reads"
        value={formatCount(totals.reads)}
        raw={totals.reads}
        testId="stats-reads"
        hint={`${formatCount(totals.misses)} misses · ${formatCount(totals.stale)} stale · ${formatCount(totals.errors)} errors`}
      />
      <StatCard
        label="DB queries saved"
        value={formatCount(totals.dbQueriesSaved)}
        raw={totals.dbQueriesSaved}
        testId="stats-saved"
        hint={targetHint(
          meetsTarget(saved, targets.dbQueriesSaved, "atLeast"),
          `${formatRate(saved)} of reads (target ${formatRate(targets.dbQueriesSaved)})`,
        )}
      />
      <StatCard
        label="p95 latency"
        value={formatMs(totals.latencyP95Ms)}
        raw={totals.latencyP95Ms}
        testId="stats-p95"
        hint={targetHint(
          meetsTarget(totals.latencyP95Ms, targets.p95LatencyMs, "atMost"),
          `p50 ${formatMs(totals.latencyP50Ms)} · p99 ${formatMs(totals.latencyP99Ms)} · target ${formatMs(targets.p95LatencyMs)}`,
        )}
      />
    </StatGrid>
  );
}

function MissedKeys({ stats }: { stats: CacheStats }) {
  if (stats.topMissedKeys.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No misses by key in this range
        {stats.rawEventsSince
          ? ` (single events are kept from ${formatIsoAbsolute(stats.rawEventsSince)} on).`
          : "."}
      </Text>
    );
  return (
    <Table striped highlightOnHover data-testid="stats-missed-keys">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Key</Table.Th>
          <Table.Th>Family</Table.Th>
          <Table.Th ta="right">Misses</Table.Th>
          <Table.Th ta="right">Reads</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {stats.topMissedKeys.map((k) => (
          <Table.Tr key={k.key}>
            <Table.Td ff="monospace" fz="xs">
              {k.key}
            </Table.Td>
            <Table.Td ff="monospace" fz="xs" c="dimmed">
              {k.family}
            </Table.Td>
            <Table.Td ta="right">{formatCount(k.misses)}</Table.Td>
            <Table.Td ta="right">{formatCount(k.reads)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function StatsBody({ stats }: { stats: CacheStats }) {
  const missedFamilies = topMissedFamilies(stats, MISSED_FAMILIES_SHOWN);
  const overLimit = daysOverLimit(stats);
  return (
    <Stack gap="sm">
      <Figures stats={stats} />
      <ChartPanel title="Hit rate">
        <EChart
          option={hitRateOption(stats)}
          height={280}
          testId="stats-hit-rate-chart"
          ariaLabel="Hit rate over time, overall and for the busiest key families, with the target line"
        />
      </ChartPanel>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <ChartPanel title="Reads by outcome">
          <EChart
            option={readsOption(stats)}
            testId="stats-reads-chart"
            ariaLabel="Reads per period, stacked by hit, stale, miss and error"
          />
        </ChartPanel>
        <ChartPanel title="Latency">
          {stats.totals.latencyP50Ms === null ? (
            <EmptyState
              title="No latencies in this range"
              description="Events from logs carry none; services record latency_ms in cache_events."
            />
          ) : (
            <EChart
              option={latencyOption(stats)}
              testId="stats-latency-chart"
              ariaLabel="Latency percentiles p50, p95 and p99 over time"
            />
          )}
        </ChartPanel>
        <ChartPanel title="Most missed families">
          {missedFamilies.length === 0 ? (
            <EmptyState title="No misses" />
          ) : (
            <EChart
              option={barOption({
                categories: missedFamilies.map((f) => f.family),
                values: missedFamilies.map((f) => f.totals.misses),
                seriesName: "Misses",
                horizontal: true,
                color: "#e03131",
              })}
              height={Math.max(160, missedFamilies.length * 28)}
              testId="stats-missed-families-chart"
              ariaLabel="Key families with the most misses"
            />
          )}
        </ChartPanel>
        <ChartPanel title={`KV operations per day (share of the free plan's daily limits)`}>
          <EChart
            option={kvOperationsOption(stats)}
            testId="stats-kv-operations-chart"
            ariaLabel="KV reads, writes, deletes and lists per day as a share of the plan's daily limits"
          />
          {overLimit.length > 0 && (
            <Text size="xs" c="red" data-testid="stats-over-limit">
              Over a daily limit: {overLimit.join("; ")}
            </Text>
          )}
        </ChartPanel>
      </SimpleGrid>
      <ChartPanel title="Most missed keys">
        <MissedKeys stats={stats} />
      </ChartPanel>
    </Stack>
  );
}

export function StatsScreen({
  profile,
  onOpenProfiles,
}: {
  profile: ProfileView;
  onOpenProfiles: () => void;
}) {
  const [range, setRange] = useState<Range>("7d");
  const [family, setFamily] = useState<string | null>(null);
  const [granularity, setGranularity] = useState<GranularityChoice>("auto");
  const per = granularity === "auto" ? null : granularity;
  const fetchStats = (chosen: string | null) => () =>
    cacheStats({
      profile: profile.name,
      since: range,
      until: null,
      family: chosen,
      granularity: per,
    });
  const stats = useQuery({
    queryKey: queryKeys.cacheStats(profile.name, range, family, per),
    queryFn: fetchStats(family),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  // The family picker lists the families of the whole range (the same query when none is chosen).
  const all = useQuery({
    queryKey: queryKeys.cacheStats(profile.name, range, null, per),
    queryFn: fetchStats(null),
    enabled: family !== null,
  });
  const familyOptions = (family === null ? stats.data : all.data)?.families.map((f) => f.family);

  let body: ReactNode;
  if (stats.isPending) body = <LoadingState label="Rolling up and reading statistics…" />;
  else if (stats.isError) {
    const noPostgres =
      profile.postgresUrl === null ||
      (stats.error instanceof Error && /no Postgres/i.test(stats.error.message));
    body = noPostgres ? (
      <Stack align="center" gap="xs" data-testid="stats-no-postgres">
        <EmptyState
          title="Statistics need a Postgres database"
          description="Cache events and their hourly rollups live in the profile's Postgres (schema cachescope). Add a Postgres URL to this profile to see them."
        />
        <Button variant="light" onClick={onOpenProfiles}>
          Go to Profiles
        </Button>
      </Stack>
    ) : (
      <ErrorAlert error={stats.error} onRetry={() => stats.refetch()} />
    );
  } else if (stats.data.totals.reads === 0 && stats.data.kvOperations.length === 0)
    body = (
      <EmptyState
        title="No cache events in this range"
        description="Services append to cachescope.cache_events (see the README), `cachescope stats import` reads worker logs, and this console counts its own reads. Pick a longer range or import logs."
      />
    );
  else body = <StatsBody stats={stats.data} />;

  return (
    <Stack h="100%" gap="sm" data-testid="stats-screen" data-profile={profile.name}>
      <Group justify="space-between" gap="xs">
        <Title order={5}>Cache statistics</Title>
        <Group gap="xs">
          <SegmentedControl
            size="xs"
            value={range}
            onChange={(v) => setRange(v as Range)}
            data={RANGES.map((r) => ({ value: r.value, label: r.label }))}
            data-testid="stats-range"
          />
          <SegmentedControl
            size="xs"
            value={granularity}
            onChange={(v) => setGranularity(v as GranularityChoice)}
            data={[
              { value: "auto", label: "Auto" },
              { value: "hour", label: "Hour" },
              { value: "day", label: "Day" },
            ]}
            data-testid="stats-granularity"
          />
          <Select
            size="xs"
            w={260}
            placeholder="All families"
            searchable
            clearable
            value={family}
            onChange={setFamily}
            data={
              family !== null && !familyOptions?.includes(family)
                ? [family, ...(familyOptions ?? [])]
                : (familyOptions ?? [])
            }
            nothingFoundMessage="No family with events in this range"
            data-testid="stats-family"
          />
          <Button
            size="xs"
            variant="subtle"
            onClick={() => stats.refetch()}
            loading={stats.isFetching && !stats.isPending}
            data-testid="stats-refresh"
          >
            Refresh
          </Button>
        </Group>
      </Group>
      {stats.data && (
        <Text size="xs" c="dimmed" data-testid="stats-window">
          {stats.data.granularity === "hour" ? "Per hour" : "Per day"} (UTC) from{" "}
          {formatIsoAbsolute(stats.data.since)} to {formatIsoAbsolute(stats.data.until)}
          {stats.data.lastRollupAt
            ? ` · rolled up ${formatIsoAbsolute(stats.data.lastRollupAt)}`
            : ""}
        </Text>
      )}
      <ScrollArea style={{ flex: 1 }} offsetScrollbars>
        {body}
      </ScrollArea>
    </Stack>
  );
}
