// The key browser of one profile: prefix filter, the paged listing (KV cursors through
// useInfiniteQuery), the virtualized list and its "Load more" footer.
import { Box, Button, Group, Loader, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { type ReactNode, useMemo, useState } from "react";
import { EmptyState, ErrorAlert, LoadingState } from "../feedback/QueryStates";
import { listKeys } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { KeyList } from "./KeyList";

/** KV returns at most 1000 keys per list call. */
const PAGE_SIZE = 1000;

export function KeyBrowser({
  profile,
  selectedKey,
  onSelect,
}: {
  profile: string;
  selectedKey: string | null;
  onSelect: (name: string) => void;
}) {
  const [prefixInput, setPrefixInput] = useState("");
  const [prefix] = useDebouncedValue(prefixInput, 300);
  const keys = useInfiniteQuery({
    queryKey: queryKeys.keys(profile, prefix),
    queryFn: ({ pageParam }) =>
      listKeys({ profile, prefix: prefix || null, cursor: pageParam, limit: PAGE_SIZE }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.cursor,
    // While a new prefix loads, keep showing (dimmed) the previous result instead of a spinner.
    placeholderData: keepPreviousData,
  });
  const loaded = useMemo(() => keys.data?.pages.flatMap((page) => page.keys) ?? [], [keys.data]);

  let body: ReactNode;
  if (keys.isPending) body = <LoadingState label="Listing keys…" />;
  else if (keys.isError && !keys.data)
    body = <ErrorAlert error={keys.error} onRetry={() => keys.refetch()} />;
  else if (loaded.length === 0)
    body = (
      <EmptyState
        title="No keys"
        description={prefix ? `No key starts with “${prefix}”.` : "This namespace has no keys."}
      />
    );
  else body = <KeyList keys={loaded} selectedKey={selectedKey} onSelect={onSelect} />;

  return (
    <Stack h="100%" gap="xs" p="xs">
      <TextInput
        aria-label="Key prefix"
        placeholder="Filter by key prefix"
        value={prefixInput}
        onChange={(event) => setPrefixInput(event.currentTarget.value)}
        rightSection={keys.isFetching && !keys.isFetchingNextPage ? <Loader size="xs" /> : null}
        spellCheck={false}
      />
      <Box flex={1} mih={0} style={{ opacity: keys.isPlaceholderData ? 0.5 : 1 }}>
        {body}
      </Box>
      {keys.isFetchNextPageError && <ErrorAlert error={keys.error} />}
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" c="dimmed">
          {keys.data &&
            `${loaded.length.toLocaleString("en-US")} ${loaded.length === 1 ? "key" : "keys"} loaded${keys.hasNextPage ? "" : " (all)"}`}
        </Text>
        <Button
          size="compact-sm"
          variant="light"
          onClick={() => keys.fetchNextPage()}
          loading={keys.isFetchingNextPage}
          disabled={!keys.hasNextPage || keys.isPlaceholderData}
        >
          Load more
        </Button>
      </Group>
    </Stack>
  );
}
