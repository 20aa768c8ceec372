// The list of every report of a profile: title and key template, how many keys KV holds, the age
// of the oldest, TTL left, a Stale badge, the schedule in words and when precompute last checked
// it. A search box narrows the list; clicking a report opens it.
import {
  Badge,
  Group,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import { useMemo, useState } from "react";
import { formatCount } from "../format/count";
import type { ReportSummary } from "../ipc/bindings";
import { useNow } from "../keys/useNow";
import classes from "./ReportList.module.css";
import {
  digestKeys,
  formatAgo,
  formatIsoAbsolute,
  formatTtlLeft,
  scheduleLabel,
} from "./reportFormat";

function ReportRow({
  report,
  selected,
  now,
  showChecked,
  onSelect,
}: {
  report: ReportSummary;
  selected: boolean;
  now: number;
  showChecked: boolean;
  onSelect: () => void;
}) {
  const digest = digestKeys(report);
  const fanOut = report.params.length > 0;
  const missing = digest.count === 0;
  return (
    <UnstyledButton
      className={classes.row}
      data-selected={selected || undefined}
      onClick={onSelect}
      data-testid="report-item"
      data-report={report.name}
      data-keys={digest.count}
      data-stale={digest.staleCount > 0 || undefined}
      aria-current={selected || undefined}
    >
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
        <Stack gap={0} miw={0}>
          <Text fw={600} size="sm" truncate>
            {report.title}
          </Text>
          <Text ff="monospace" size="xs" c="dimmed" truncate title={report.keyTemplate}>
            {report.keyTemplate}
          </Text>
        </Stack>
        <Group gap={4} wrap="nowrap" style={{ flexShrink: 0 }}>
          {digest.staleCount > 0 && (
            <Tooltip
              label={
                fanOut
                  ? `${formatCount(digest.staleCount)} of ${formatCount(digest.listed)} keys missed a scheduled refresh`
                  : "Older than its schedule: a scheduled refresh was missed"
              }
            >
              <Badge size="xs" color="red" variant="filled" data-testid="report-item-stale">
                {fanOut && digest.staleCount < digest.listed
                  ? `${digest.staleCount} stale`
                  : "Stale"}
              </Badge>
            </Tooltip>
          )}
          <Badge
            size="xs"
            variant="light"
            color={missing ? "gray" : "blue"}
            data-testid="report-item-keys"
          >
            {missing
              ? "not in KV"
              : `${formatCount(digest.count)} ${digest.count === 1 ? "key" : "keys"}`}
          </Badge>
        </Group>
      </Group>
      <Group gap={6} mt={4} wrap="wrap">
        <Tooltip
          label={
            digest.oldestGeneratedAt
              ? `${fanOut ? "Oldest key generated" : "Generated"} ${formatIsoAbsolute(digest.oldestGeneratedAt)}`
              : "Generation time unknown"
          }
          openDelay={300}
        >
          <Text size="xs" data-testid="report-item-age">
            {missing
              ? "—"
              : digest.oldestGeneratedAt
                ? `${fanOut && digest.listed > 1 ? "oldest " : ""}${formatAgo(digest.oldestGeneratedAt, now)}`
                : "age unknown"}
          </Text>
        </Tooltip>
        {!missing && (
          <Text size="xs" c="dimmed" data-testid="report-item-ttl">
            · {formatTtlLeft(digest.soonestExpiration, now)}
          </Text>
        )}
      </Group>
      <Text size="xs" c="dimmed" data-testid="report-item-schedule">
        {scheduleLabel(report)}
        {showChecked &&
          (report.lastCheckedAt ? (
            <Tooltip
              label={`Precompute found it current at ${formatIsoAbsolute(report.lastCheckedAt)}`}
              openDelay={300}
            >
              <span data-testid="report-item-checked">
                {" "}
                · checked {formatAgo(report.lastCheckedAt, now)}
              </span>
            </Tooltip>
          ) : (
            <span data-testid="report-item-checked"> · never checked</span>
          ))}
      </Text>
    </UnstyledButton>
  );
}

export function ReportList({
  reports,
  selected,
  showChecked,
  onSelect,
}: {
  reports: ReportSummary[];
  selected: string | null;
  /** Whether "last checked by precompute" means anything (KV read, a Postgres to run from). */
  showChecked: boolean;
  onSelect: (name: string) => void;
}) {
  const now = useNow(5_000);
  const [search, setSearch] = useState("");
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    if (!needle) return reports;
    return reports.filter((r) =>
      [r.title, r.name, r.keyTemplate].some((text) => text.toLowerCase().includes(needle)),
    );
  }, [reports, search]);
  return (
    <Stack gap="xs" h="100%" mih={0}>
      <TextInput
        size="xs"
        placeholder="Search reports"
        aria-label="Search reports"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        data-testid="report-search"
      />
      <ScrollArea flex={1} mih={0} type="auto" offsetScrollbars>
        <Stack gap={4} data-testid="report-list">
          {shown.map((report) => (
            <ReportRow
              key={report.name}
              report={report}
              selected={report.name === selected}
              now={now}
              showChecked={showChecked}
              onSelect={() => onSelect(report.name)}
            />
          ))}
          {shown.length === 0 && (
            <Text size="sm" c="dimmed" p="xs">
              No report matches “{search}”.
            </Text>
          )}
        </Stack>
      </ScrollArea>
    </Stack>
  );
}
