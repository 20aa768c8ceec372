// The key browser of one profile: prefix filter with "Delete by prefix…", the List/Tree switch,
// sort order and reload, the virtualized listing, and its footer ("Load more", "Load all").
import {
  Box,
  Button,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue, useLocalStorage } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useDeferredValue, useMemo, useState } from "react";
import { EmptyState, ErrorAlert, LoadingState } from "../feedback/QueryStates";
import type { ProfileView } from "../ipc/bindings";
import { DeletePrefixModal } from "./DeletePrefixModal";
import { KeyList } from "./KeyList";
import { KeyListFooter } from "./KeyListFooter";
import { KeyTree } from "./KeyTree";
import { reloadListing } from "./keyCache";
import { isKeySort, KEY_SORTS, type KeySort, sortKeys } from "./keySort";
import { repeatedCursorError } from "./listingCursors";
import { useKeyListing } from "./useKeyListing";

type View = "list" | "tree";

function usePreferences() {
  const [view, setView] = useLocalStorage<View>({
    key: "cachescope.keys.view",
    defaultValue: "list",
    getInitialValueInEffect: false,
  });
  const [storedSort, setSort] = useLocalStorage<string>({
    key: "cachescope.keys.sort",
    defaultValue: "name-asc",
    getInitialValueInEffect: false,
  });
  const sort: KeySort = isKeySort(storedSort) ? storedSort : "name-asc";
  return { view: view === "tree" ? view : "list", setView, sort, setSort };
}

export function KeyBrowser({
  profile,
  selectedKey,
  onSelect,
}: {
  profile: ProfileView;
  selectedKey: string | null;
  onSelect: (name: string) => void;
}) {
  const queryClient = useQueryClient();
  const [prefixInput, setPrefixInput] = useState("");
  const [prefix] = useDebouncedValue(prefixInput, 300);
  const [deleting, setDeleting] = useState(false);
  const { view, setView, sort, setSort } = usePreferences();
  const { query: keys, loaded, loadAll, repeated } = useKeyListing(profile.name, prefix);
  // Sorting and grouping 100k keys takes a moment: let typing and scrolling go first.
  const shown = useDeferredValue(loaded);
  const sorted = useMemo(
    () => (view === "list" && sort !== "name-asc" ? sortKeys(shown, sort) : shown),
    [shown, sort, view],
  );

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
  else if (view === "tree")
    body = (
      <KeyTree
        key={prefix}
        keys={shown}
        sort={sort}
        prefix={prefix}
        selectedKey={selectedKey}
        onSelect={onSelect}
      />
    );
  else body = <KeyList keys={sorted} selectedKey={selectedKey} onSelect={onSelect} />;

  return (
    <Stack h="100%" gap="xs" p="xs">
      <Group gap="xs" wrap="nowrap">
        <TextInput
          flex={1}
          miw={0}
          aria-label="Key prefix"
          placeholder="Key prefix"
          value={prefixInput}
          onChange={(event) => setPrefixInput(event.currentTarget.value)}
          rightSection={keys.isFetching && !keys.isFetchingNextPage ? <Loader size="xs" /> : null}
          spellCheck={false}
          data-testid="prefix-filter"
        />
        <Tooltip label="Type a prefix to delete the keys under it" disabled={prefixInput !== ""}>
          <Button
            variant="light"
            color="red"
            data-testid="delete-prefix-open"
            data-disabled={prefixInput === "" || undefined}
            aria-disabled={prefixInput === ""}
            onClick={() => prefixInput !== "" && setDeleting(true)}
          >
            Delete by prefix…
          </Button>
        </Tooltip>
      </Group>
      <Group gap="xs" wrap="nowrap">
        <SegmentedControl
          size="xs"
          data={[
            { value: "list", label: "List" },
            { value: "tree", label: "Tree" },
          ]}
          value={view}
          onChange={(next) => setView(next === "tree" ? "tree" : "list")}
          data-testid="key-view"
        />
        <Select
          size="xs"
          flex={1}
          miw={0}
          aria-label="Sort keys"
          data={KEY_SORTS}
          value={sort}
          onChange={(next) => next && setSort(next)}
          allowDeselect={false}
          data-testid="key-sort"
        />
        <Tooltip label="Reload from the first page">
          <Button
            size="xs"
            variant="default"
            px="xs"
            aria-label="Reload keys"
            data-testid="keys-refresh"
            disabled={keys.isPending}
            onClick={() => {
              loadAll.cancel();
              reloadListing(queryClient, profile.name, prefix);
            }}
          >
            ⟳
          </Button>
        </Tooltip>
      </Group>
      {sort !== "name-asc" && keys.hasNextPage && (
        <Text size="xs" c="dimmed">
          Sorted among the loaded keys; “Load all” sorts every key.
        </Text>
      )}
      <Box flex={1} mih={0} style={{ opacity: keys.isPlaceholderData ? 0.5 : 1 }}>
        {body}
      </Box>
      {keys.isFetchNextPageError && <ErrorAlert error={keys.error} />}
      {repeated && !keys.isPlaceholderData && <ErrorAlert error={repeatedCursorError(repeated)} />}
      <KeyListFooter
        loadedCount={loaded.length}
        hasData={keys.data !== undefined}
        complete={!keys.hasNextPage && !repeated}
        stopped={repeated !== null}
        fetchingNextPage={keys.isFetchingNextPage}
        paused={keys.isPlaceholderData}
        loadAll={loadAll}
        onLoadMore={() => keys.fetchNextPage()}
      />
      {deleting && (
        <DeletePrefixModal
          profile={profile}
          prefix={prefixInput}
          onClose={() => setDeleting(false)}
        />
      )}
    </Stack>
  );
}
