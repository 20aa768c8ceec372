// "Load all": requests the remaining pages of a listing one after another until the listing is
// complete, a page fails, or the user cancels (pages already loaded are kept). A new `scope`
// (another profile or prefix) stops the loop, since its pages would belong to another listing.
import { useCallback, useEffect, useRef, useState } from "react";

export interface PagedQuery {
  hasNextPage: boolean;
  fetchNextPage: () => Promise<{ isError: boolean; hasNextPage: boolean }>;
}

export interface LoadAll {
  running: boolean;
  start: () => void;
  cancel: () => void;
}

/** Fetches the remaining pages one after another until the listing is complete (or stopped at
 * a repeated cursor: no next page then), a page fails, or `run` is cancelled; resolves to the
 * pages fetched. */
export async function loadRemainingPages(
  query: PagedQuery,
  run: { cancelled: boolean },
): Promise<number> {
  let fetched = 0;
  let more = query.hasNextPage;
  while (more && !run.cancelled) {
    const result = await query.fetchNextPage();
    fetched += 1;
    // A failed page is shown by the listing; the loop stops there.
    if (result.isError) break;
    more = result.hasNextPage;
  }
  return fetched;
}

export function useLoadAll(query: PagedQuery, scope: string): LoadAll {
  const [running, setRunning] = useState(false);
  const current = useRef<{ cancelled: boolean } | null>(null);
  const { hasNextPage, fetchNextPage } = query;

  const cancel = useCallback(() => {
    if (current.current) current.current.cancelled = true;
    current.current = null;
    setRunning(false);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: scope is the trigger, not a value read.
  useEffect(() => cancel, [scope, cancel]);

  const start = useCallback(() => {
    if (current.current) return;
    const run = { cancelled: false };
    current.current = run;
    setRunning(true);
    void (async () => {
      try {
        await loadRemainingPages({ hasNextPage, fetchNextPage }, run);
      } finally {
        if (current.current === run) {
          current.current = null;
          setRunning(false);
        }
      }
    })();
  }, [hasNextPage, fetchNextPage]);

  return { running, start, cancel };
}
