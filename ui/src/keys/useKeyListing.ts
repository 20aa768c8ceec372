// The paged key listing of one profile and prefix (KV cursors through useInfiniteQuery), the keys
// loaded so far, and "Load all" over it. A cursor an earlier page already gave ends the listing
// (listingCursors.ts).
import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { KeyPageView } from "../ipc/bindings";
import { type ListKeysArgs, listKeys } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { nextKeyCursor, repeatedCursor } from "./listingCursors";
import { useLoadAll } from "./useLoadAll";

/** KV returns at most 1000 keys per list call. */
export const PAGE_SIZE = 1000;

/** The infinite query of one listing; `list` is the IPC call (a fake server in tests). */
export function keyListingQuery(
  profile: string,
  prefix: string,
  list: (args: ListKeysArgs) => Promise<KeyPageView> = listKeys,
) {
  return infiniteQueryOptions({
    queryKey: queryKeys.keys(profile, prefix),
    queryFn: ({ pageParam }) =>
      list({ profile, prefix: prefix || null, cursor: pageParam, limit: PAGE_SIZE }),
    initialPageParam: null as string | null,
    getNextPageParam: nextKeyCursor,
  });
}

export function useKeyListing(profile: string, prefix: string) {
  const query = useInfiniteQuery({
    ...keyListingQuery(profile, prefix),
    // While a new prefix loads, keep showing (dimmed) the previous result instead of a spinner.
    placeholderData: keepPreviousData,
  });
  const loaded = useMemo(() => query.data?.pages.flatMap((page) => page.keys) ?? [], [query.data]);
  /** Set when the listing stopped because the server gave a cursor again. */
  const repeated = useMemo(() => repeatedCursor(query.data), [query.data]);
  const loadAll = useLoadAll(
    {
      hasNextPage: query.hasNextPage && !query.isPlaceholderData,
      fetchNextPage: query.fetchNextPage,
    },
    `${profile}\u0000${prefix}`,
  );
  return { query, loaded, loadAll, repeated };
}
