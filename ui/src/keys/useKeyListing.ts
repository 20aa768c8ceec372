// The paged key listing of one profile and prefix (KV cursors through useInfiniteQuery), the keys
// loaded so far, and "Load all" over it.
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { listKeys } from "../ipc/commands";
import { queryKeys } from "../ipc/queryKeys";
import { useLoadAll } from "./useLoadAll";

/** KV returns at most 1000 keys per list call. */
export const PAGE_SIZE = 1000;

export function useKeyListing(profile: string, prefix: string) {
  const query = useInfiniteQuery({
    queryKey: queryKeys.keys(profile, prefix),
    queryFn: ({ pageParam }) =>
      listKeys({ profile, prefix: prefix || null, cursor: pageParam, limit: PAGE_SIZE }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.cursor,
    // While a new prefix loads, keep showing (dimmed) the previous result instead of a spinner.
    placeholderData: keepPreviousData,
  });
  const loaded = useMemo(() => query.data?.pages.flatMap((page) => page.keys) ?? [], [query.data]);
  const loadAll = useLoadAll(
    {
      hasNextPage: query.hasNextPage && !query.isPlaceholderData,
      fetchNextPage: query.fetchNextPage,
    },
    `${profile}\u0000${prefix}`,
  );
  return { query, loaded, loadAll };
}
