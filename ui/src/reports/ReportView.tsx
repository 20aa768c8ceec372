// One report: its header (key, where the value came from, age, TTL left, staleness, the core's
// note), the key picker of a fan-out report, the actions (compare with live SQL, precompute,
// export, reload), and the value as its typed view, as raw JSON, or as the diff.
import {
  Alert,
  Badge,
  Box,
  Button,
  Code,
  Group,
  ScrollArea,
  Stack,
  Tabs,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { type ReactNode, useMemo, useState } from "react";
import { ErrorAlert, LoadingState } from "../feedback/QueryStates";
import { prettyJson } from "../format/json";
import type { ProfileView, ReportSummary, ReportValue } from "../ipc/bindings";
import { diffReport, showReport } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { CopyTextButton } from "../keys/CopyTextButton";
import { useNow } from "../keys/useNow";
import { Fact } from "../layout/Fact";
import { DiffPanel } from "./DiffPanel";
import { ExportMenu, ExportResult, useReportExport } from "./ExportMenu";
import { ParamPicker } from "./ParamPicker";
import { PrecomputeModal } from "./PrecomputeModal";
import { parseReportJson } from "./payload";
import {
  formatAgo,
  formatIsoAbsolute,
  formatTtlLeft,
  scheduleLabel,
  sourceColor,
  sourceLabel,
} from "./reportFormat";
import { type ReportParams, renderKeyTemplate } from "./reportParams";
import { ReportPayloadView } from "./views/ReportPayloadView";

type Tab = "report" | "json" | "diff";

function ValueFacts({ value }: { value: ReportValue }) {
  // Only this row ticks every second, not the whole report.
  const now = useNow();
  return (
    <Group gap="xl" align="flex-start">
      <Fact label="Source" testId="report-source">
        <Badge
          variant="light"
          color={sourceColor(value.source)}
          data-testid="report-source-badge"
          data-source={value.source}
        >
          {sourceLabel(value.source)}
        </Badge>
      </Fact>
      <Fact label="Generated" testId="report-generated">
        {value.generatedAt ? (
          <Tooltip label={formatIsoAbsolute(value.generatedAt)} openDelay={300}>
            <Text span fz="sm" data-generated-at={value.generatedAt}>
              {formatAgo(value.generatedAt, now)}
            </Text>
          </Tooltip>
        ) : (
          <Text span c="dimmed" fz="sm">
            generation time unknown
          </Text>
        )}
      </Fact>
      <Fact label="TTL left" testId="report-ttl">
        <Text
          span
          fz="sm"
          c={value.expiration !== null && value.expiration * 1000 <= now ? "red" : undefined}
        >
          {value.source === "liveSql" ? "not cached" : formatTtlLeft(value.expiration, now)}
        </Text>
      </Fact>
      {value.syncedAt && (
        <Fact label="Synced" testId="report-synced">
          <Tooltip label={formatIsoAbsolute(value.syncedAt)} openDelay={300}>
            <Text span fz="sm">
              {formatAgo(value.syncedAt, now)}
            </Text>
          </Tooltip>
        </Fact>
      )}
      {value.stale && (
        <Fact label="Freshness">
          <Tooltip label="Older than its schedule: a scheduled refresh was missed">
            <Badge color="red" variant="filled" data-testid="report-stale">
              Stale
            </Badge>
          </Tooltip>
        </Fact>
      )}
    </Group>
  );
}

function RawJson({ text }: { text: string }) {
  const pretty = useMemo(() => prettyJson(text), [text]);
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <CopyTextButton text={text} label="Copy JSON" testId="report-copy-json" />
        {pretty === null && (
          <Text size="sm" c="red">
            Not valid JSON: shown as stored.
          </Text>
        )}
      </Group>
      <ScrollArea.Autosize mah="calc(100dvh - 360px)" type="auto">
        <Code block fz="xs" data-testid="report-raw-json">
          {pretty ?? text}
        </Code>
      </ScrollArea.Autosize>
    </Stack>
  );
}

function ValueBody({ value }: { value: ReportValue }) {
  const parsed = useMemo(() => parseReportJson(value.json), [value.json]);
  if (!parsed.ok) {
    return (
      <Alert
        color="red"
        variant="light"
        title="The value is not JSON"
        data-testid="report-not-json"
      >
        {parsed.error}. Open the Raw JSON tab to see it as stored.
      </Alert>
    );
  }
  return <ReportPayloadView view={value.view} payload={parsed.value} />;
}

export function ReportView({
  profile,
  summary,
  params,
  offline,
  onParamsChange,
}: {
  profile: ProfileView;
  summary: ReportSummary;
  /** Null for a fan-out report without a chosen key yet. */
  params: ReportParams | null;
  offline: boolean;
  onParamsChange: (params: ReportParams) => void;
}) {
  const [tab, setTab] = useState<Tab>("report");
  const [precomputing, setPrecomputing] = useState(false);
  const chosen = params ?? {};
  const value = useQuery({
    queryKey: queryKeys.reportValue(profile.name, summary.name, chosen, offline),
    queryFn: () =>
      showReport({ profile: profile.name, report: summary.name, params: chosen, offline }),
    enabled: params !== null,
    placeholderData: keepPreviousData,
  });
  const diff = useMutation({
    mutationFn: () => diffReport({ profile: profile.name, report: summary.name, params: chosen }),
  });
  const exportState = useReportExport({
    profile: profile.name,
    report: summary.name,
    params: chosen,
    offline,
  });
  // A value kept on screen while another key loads is the previous key's: say so.
  const showing = value.data;
  const key = params === null ? null : renderKeyTemplate(summary.keyTemplate, chosen);

  const compare = () => {
    setTab("diff");
    diff.mutate();
  };

  let diffBody: ReactNode;
  if (diff.isIdle) {
    diffBody = (
      <Stack gap="xs" align="flex-start">
        <Text size="sm" c="dimmed">
          Recompute this key from Postgres now and compare it, field by field, with what KV holds.
          Nothing is written.
        </Text>
        <Button size="xs" onClick={compare} data-testid="report-diff-run">
          Compare now
        </Button>
      </Stack>
    );
  } else if (diff.isPending) {
    diffBody = <LoadingState label="Computing the report from SQL…" />;
  } else if (diff.isError) {
    diffBody = (
      <Stack gap="xs" data-testid="report-diff-error">
        <ErrorAlert error={diff.error} onRetry={() => diff.mutate()} />
      </Stack>
    );
  } else {
    diffBody = <DiffPanel diff={diff.data} />;
  }

  let body: ReactNode;
  if (params === null) {
    body = (
      <Alert color="gray" variant="light" data-testid="report-pick-key">
        This report has one key per {summary.params.map((p) => `{${p}}`).join(", ")} and none is
        listed. Type a value above to compute it live from SQL.
      </Alert>
    );
  } else if (value.isPending) {
    body = <LoadingState label="Reading the report…" />;
  } else if (value.isError) {
    body = (
      <Stack gap="md">
        <Stack gap="xs" data-testid="report-error">
          <ErrorAlert error={value.error} onRetry={() => value.refetch()} />
        </Stack>
        {/* The value could not be read, but a comparison asked for is still shown. */}
        {!diff.isIdle && diffBody}
      </Stack>
    );
  } else if (showing) {
    body = (
      <Tabs
        value={tab}
        onChange={(next) => setTab((next as Tab | null) ?? "report")}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="report" data-testid="report-tab-view">
            Report
          </Tabs.Tab>
          <Tabs.Tab value="json" data-testid="report-tab-json">
            Raw JSON
          </Tabs.Tab>
          <Tabs.Tab value="diff" data-testid="report-tab-diff">
            Compare with live SQL
          </Tabs.Tab>
        </Tabs.List>
        <Box pt="md">
          {tab === "report" && <ValueBody value={showing} />}
          {tab === "json" && <RawJson text={showing.json} />}
          {tab === "diff" && diffBody}
        </Box>
      </Tabs>
    );
  }

  return (
    <Stack
      gap="md"
      data-testid="report-view"
      data-report={summary.name}
      data-view={summary.view ?? ""}
      data-key={showing?.key ?? key ?? ""}
      data-source={showing?.source ?? ""}
      data-loading={value.isFetching || undefined}
    >
      <Stack gap={4}>
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={2} miw={0} style={{ flex: "1 1 320px" }}>
            <Title order={3} data-testid="report-title">
              {summary.title}
            </Title>
            <Group gap="xs" wrap="nowrap">
              <Code fz="sm" style={{ overflowWrap: "anywhere" }} data-testid="report-key">
                {showing?.key ?? key ?? summary.keyTemplate}
              </Code>
              {(showing?.key ?? key) && (
                <Box style={{ flexShrink: 0 }}>
                  <CopyTextButton
                    text={showing?.key ?? key ?? ""}
                    label="Copy key"
                    testId="report-copy-key"
                  />
                </Box>
              )}
            </Group>
            <Text size="xs" c="dimmed">
              {summary.name} · TTL {summary.ttl} s · {scheduleLabel(summary)}
              {summary.origin !== "builtin" && ` · from ${summary.origin}`}
            </Text>
          </Stack>
          <Group gap="xs">
            <Button
              size="xs"
              variant="default"
              onClick={compare}
              disabled={params === null}
              loading={diff.isPending}
              data-testid="report-compare"
            >
              Compare with live SQL
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => setPrecomputing(true)}
              data-testid="report-precompute"
            >
              Precompute…
            </Button>
            <ExportMenu tables={summary.tables} state={exportState} disabled={params === null} />
            <Button
              size="xs"
              variant="subtle"
              onClick={() => value.refetch()}
              disabled={params === null}
              loading={value.isFetching && !value.isPending}
              data-testid="report-reload"
            >
              Reload
            </Button>
          </Group>
        </Group>
        {summary.params.length > 0 && (
          <ParamPicker
            key={`${summary.name}:${JSON.stringify(params)}`}
            summary={summary}
            params={params}
            onChange={(next) => {
              diff.reset();
              onParamsChange(next);
            }}
          />
        )}
      </Stack>
      {showing && <ValueFacts value={showing} />}
      {showing?.note && (
        <Alert
          color={showing.source === "liveSql" ? "grape" : "orange"}
          variant="light"
          p="xs"
          data-testid="report-note"
        >
          {showing.note}
        </Alert>
      )}
      <ExportResult state={exportState} />
      {body}
      {precomputing && (
        <PrecomputeModal
          profile={profile}
          reports={[summary.name]}
          title={`Precompute “${summary.title}”`}
          onClose={() => setPrecomputing(false)}
        />
      )}
    </Stack>
  );
}
