// Updates of cached key listings and values after a change, without re-reading every page of a
// long listing: each page is one KV list call, counted against the account's quota.
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type { KeyPageView, KeyView } from "../ipc/bindings";
import { queryKeys } from "../ipc/queryKeys";

/** What useInfiniteQuery caches for a listing: pages of keys, each fetched with a cursor. */
export type KeyListing = InfiniteData<KeyPageView, string | null>;

/** Listings with more pages than this restart from their first page instead of refetching all. */
export const MAX_REFETCHED_PAGES = 10;

function updateKeys(
  queryClient: QueryClient,
  profile: string,
  update: (keys: KeyView[]) => KeyView[],
) {
  queryClient.setQueriesData<KeyListing>({ queryKey: queryKeys.keyListings(profile) }, (data) =>
    data
      ? { ...data, pages: data.pages.map((page) => ({ ...page, keys: update(page.keys) })) }
      : data,
  );
}

/** Drops a deleted key from every loaded listing of the profile, and its cached value. */
export function removeKeyFromListings(queryClient: QueryClient, profile: string, key: string) {
  updateKeys(queryClient, profile, (keys) => keys.filter((k) => k.name !== key));
  queryClient.removeQueries({ queryKey: queryKeys.keyValue(profile, key) });
}

/** Shows a key's new expiry in every loaded listing of the profile. */
export function setKeyExpirationInListings(
  queryClient: QueryClient,
  profile: string,
  key: string,
  expiration: number | null,
) {
  updateKeys(queryClient, profile, (keys) =>
    keys.map((k) => (k.name === key ? { ...k, expiration } : k)),
  );
}

/** How to treat listings longer than MAX_REFETCHED_PAGES after a change: leave them as they are
 * (a change reported by an event: our own edits already patched them, and re-reading would cost
 * a list call per page or drop the pages the user loaded), or restart them from their first page
 * (after a bulk delete, most of what they hold may be gone). */
export type LongListings = "keep" | "reset";

/** After keys of a profile changed: values are re-read when shown, short listings are refetched
 * in place, long ones are kept or reset. */
export function refreshProfileKeys(
  queryClient: QueryClient,
  profile: string,
  longListings: LongListings,
) {
  void queryClient.invalidateQueries({ queryKey: queryKeys.values(profile) });
  const listings = queryClient
    .getQueryCache()
    .findAll({ queryKey: queryKeys.keyListings(profile) });
  for (const query of listings) {
    const pages = (query.state.data as KeyListing | undefined)?.pages.length ?? 0;
    const filters = { queryKey: query.queryKey, exact: true };
    if (pages <= MAX_REFETCHED_PAGES) void queryClient.invalidateQueries(filters);
    else if (longListings === "reset") void queryClient.resetQueries(filters);
  }
}

/** "Refresh": one listing back to its first page, and the profile's values re-read. */
export function reloadListing(queryClient: QueryClient, profile: string, prefix: string) {
  void queryClient.invalidateQueries({ queryKey: queryKeys.values(profile) });
  void queryClient.resetQueries({ queryKey: queryKeys.keys(profile, prefix), exact: true });
}
