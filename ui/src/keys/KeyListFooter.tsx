// Footer of the key browser: how many keys are loaded, "Load more" (one page) and "Load all"
// (every remaining page, with a running count and Cancel); both end at a listing that stopped
// at a repeated cursor.
import { Button, Group, Loader, Text } from "@mantine/core";
import { countNoun } from "../format/count";
import type { LoadAll } from "./useLoadAll";

export function KeyListFooter({
  loadedCount,
  hasData,
  complete,
  stopped = false,
  fetchingNextPage,
  paused,
  loadAll,
  onLoadMore,
}: {
  loadedCount: number;
  hasData: boolean;
  /** True once the last page is loaded. */
  complete: boolean;
  /** True when the listing stopped at a cursor the server gave again (not complete). */
  stopped?: boolean;
  fetchingNextPage: boolean;
  /** True while a new prefix loads (the shown keys are the previous prefix's). */
  paused: boolean;
  loadAll: LoadAll;
  onLoadMore: () => void;
}) {
  const countText = hasData
    ? `${countNoun(loadedCount, "key")} loaded${complete ? " (all)" : stopped ? " (stopped)" : ""}`
    : "";
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Group gap={6} wrap="nowrap" miw={0}>
        {loadAll.running && <Loader size={14} data-testid="load-all-progress" />}
        <Text
          size="sm"
          c="dimmed"
          truncate="end"
          data-testid="key-count"
          data-count={loadedCount}
          data-complete={complete || undefined}
        >
          {loadAll.running ? `Loading all… ${countText}` : countText}
        </Text>
      </Group>
      {loadAll.running ? (
        <Button
          size="compact-sm"
          variant="light"
          color="gray"
          data-testid="load-all-cancel"
          onClick={loadAll.cancel}
        >
          Cancel
        </Button>
      ) : (
        <Group gap={6} wrap="nowrap">
          <Button
            size="compact-sm"
            variant="light"
            data-testid="load-more"
            onClick={onLoadMore}
            loading={fetchingNextPage}
            disabled={complete || stopped || paused}
          >
            Load more
          </Button>
          <Button
            size="compact-sm"
            variant="light"
            data-testid="load-all"
            onClick={loadAll.start}
            disabled={complete || stopped || paused || fetchingNextPage}
          >
            Load all
          </Button>
        </Group>
      )}
    </Group>
  );
}
