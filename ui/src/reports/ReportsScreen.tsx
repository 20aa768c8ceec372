// The Reports screen of one profile: the report list on the left (with the offline-mirror switch,
// sync, precompute of everything and the run history), the chosen report on the right. Mounted
// per profile (keyed by name), so switching profile starts again.
import { Alert, Button, Group, Paper, Stack, Switch, Text, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { EmptyState, ErrorAlert, LoadingState } from "../feedback/QueryStates";
import type { ProfileView, ReportList as ReportListData } from "../ipc/bindings";
import { listReports } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { useNow } from "../keys/useNow";
import { DefinitionCheckModal } from "./DefinitionCheckModal";
import { PrecomputeModal } from "./PrecomputeModal";
import { ReportList } from "./ReportList";
import { ReportView } from "./ReportView";
import { RunsDrawer } from "./RunsDrawer";
import { mirrorBanner } from "./reportFormat";
import { defaultParams, type ReportParams } from "./reportParams";
import { SyncMirrorButton, SyncMirrorStatus, useSyncMirror } from "./SyncMirror";

function MirrorBanner({ list }: { list: ReportListData }) {
  const now = useNow(15_000);
  const banner = mirrorBanner(list, now);
  if (!banner) return null;
  return (
    <Alert
      color={banner.offline ? "orange" : "gray"}
      variant="light"
      p="xs"
      title={banner.title}
      data-testid="offline-banner"
      data-offline={banner.offline || undefined}
    >
      {banner.detail && <Text size="sm">{banner.detail}</Text>}
    </Alert>
  );
}

export function ReportsScreen({ profile }: { profile: ProfileView }) {
  const [offline, setOffline] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  // The key chosen per fan-out report, kept while moving between reports.
  const [chosenParams, setChosenParams] = useState<Record<string, ReportParams>>({});
  const [precomputingAll, setPrecomputingAll] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [checking, setChecking] = useState(false);
  const sync = useSyncMirror(profile.name);

  const list = useQuery({
    queryKey: queryKeys.reportList(profile.name, offline),
    queryFn: () => listReports({ profile: profile.name, offline }),
  });
  const reports = list.data?.reports ?? [];
  const summary = reports.find((r) => r.name === selected) ?? null;
  const showChecked = list.data?.source === "kv" && profile.postgresUrl !== null;

  let listBody: ReactNode;
  if (list.isPending) listBody = <LoadingState label="Listing reports…" />;
  else if (list.isError)
    listBody = (
      <Stack gap="xs" data-testid="report-list-error">
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
      </Stack>
    );
  else if (reports.length === 0)
    listBody = (
      <EmptyState
        title="No report definitions"
        description="Add reports in reports.toml in the config directory."
      />
    );
  else
    listBody = (
      <ReportList
        reports={reports}
        selected={selected}
        showChecked={showChecked}
        onSelect={setSelected}
      />
    );

  let detail: ReactNode;
  if (summary === null) {
    detail = (
      <EmptyState
        title="No report selected"
        description="Pick a report to see its figures, compare it with live SQL, precompute or export it."
      />
    );
  } else {
    const params = chosenParams[summary.name] ?? defaultParams(summary);
    detail = (
      <ReportView
        key={summary.name}
        profile={profile}
        summary={summary}
        params={params}
        offline={offline}
        onParamsChange={(next) => setChosenParams((all) => ({ ...all, [summary.name]: next }))}
      />
    );
  }

  return (
    <Stack h="100%" gap="sm" data-testid="reports-screen" data-profile={profile.name}>
      <Group justify="space-between" gap="xs">
        <Group gap="md">
          <Switch
            label="Offline mirror"
            checked={offline}
            onChange={(event) => setOffline(event.currentTarget.checked)}
            data-testid="offline-switch"
          />
          <Text size="xs" c="dimmed">
            {offline
              ? "Reading the copy synced to this machine"
              : "Reading KV; on a miss, live SQL"}
          </Text>
        </Group>
        <Group gap="xs">
          <SyncMirrorButton state={sync} disabled={offline} />
          <Tooltip
            label="Needs a Postgres URL in the profile"
            disabled={profile.postgresUrl !== null}
          >
            <Button
              size="xs"
              variant="default"
              onClick={() => setPrecomputingAll(true)}
              data-testid="precompute-all"
            >
              Precompute all…
            </Button>
          </Tooltip>
          <Tooltip
            label="Needs a Postgres URL in the profile"
            disabled={profile.postgresUrl !== null}
          >
            <Button
              size="xs"
              variant="default"
              onClick={() => setChecking(true)}
              data-testid="check-definitions"
            >
              Check definitions…
            </Button>
          </Tooltip>
          <Button
            size="xs"
            variant="default"
            onClick={() => setHistoryOpen(true)}
            data-testid="precompute-history-open"
          >
            Precompute history
          </Button>
          <Button
            size="xs"
            variant="subtle"
            onClick={() => list.refetch()}
            loading={list.isFetching && !list.isPending}
            data-testid="reports-refresh"
          >
            Refresh
          </Button>
        </Group>
      </Group>
      <SyncMirrorStatus state={sync} />
      {list.data && <MirrorBanner list={list.data} />}
      <Group flex={1} mih={0} gap="md" align="stretch" wrap="nowrap">
        <Paper withBorder p="xs" w={{ base: 340, lg: 400 }} style={{ flexShrink: 0 }}>
          {listBody}
        </Paper>
        <Paper withBorder flex={1} miw={0} p="md" style={{ overflow: "auto" }}>
          {detail}
        </Paper>
      </Group>
      {precomputingAll && (
        <PrecomputeModal
          profile={profile}
          reports={[]}
          title="Precompute every report"
          onClose={() => setPrecomputingAll(false)}
        />
      )}
      {checking && <DefinitionCheckModal profile={profile} onClose={() => setChecking(false)} />}
      <RunsDrawer
        profile={profile.name}
        opened={historyOpen}
        onClose={() => setHistoryOpen(false)}
      />
    </Stack>
  );
}
