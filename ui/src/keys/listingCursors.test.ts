// Tests of the repeated-cursor guard: the pure rule, then "Load all" over a real QueryClient and
// InfiniteQueryObserver with the listing's own query options and a fake server.
import { InfiniteQueryObserver, QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { KeyPageView } from "../ipc/bindings";
import type { ListKeysArgs } from "../ipc/commands";
import { nextKeyCursor, repeatedCursor, repeatedCursorError } from "./listingCursors";
import { keyListingQuery } from "./useKeyListing";
import { loadRemainingPages } from "./useLoadAll";

const page = (names: string[], cursor: string | null): KeyPageView => ({
  keys: names.map((name) => ({ name, expiration: null, metadata: null })),
  cursor,
});

describe("nextKeyCursor", () => {
  it("follows a new cursor and stops at the end or at a cursor seen before", () => {
    expect(nextKeyCursor(page(["a"], "B"), [], "A", [null, "A"])).toBe("B");
    expect(nextKeyCursor(page(["a"], null), [], "A", [null, "A"])).toBeUndefined();
    expect(nextKeyCursor(page(["a"], ""), [], null, [null])).toBeUndefined();
    // A, B, A: not the last cursor but one before it.
    expect(nextKeyCursor(page(["a"], "A"), [], "B", [null, "A", "B"])).toBeUndefined();
    // The page asked for with A gives A again.
    expect(nextKeyCursor(page(["a"], "A"), [], "A", [null, "A"])).toBeUndefined();
  });
});

describe("repeatedCursor", () => {
  it("names the cursor, the page that gave it again and the page that gave it first", () => {
    const data = {
      pages: [page(["a"], "A"), page(["b"], "B"), page(["c"], "A")],
      pageParams: [null, "A", "B"],
    };
    const repeated = repeatedCursor(data);
    expect(repeated).toEqual({ cursor: "A", page: 3, firstPage: 1 });
    expect(repeated && repeatedCursorError(repeated).message).toBe(
      'The server gave the list cursor "A" again on page 3 (page 1 gave it first): its listing ' +
        "would never end, so it stopped after 3 pages. The keys shown may be incomplete; " +
        "reload to start over.",
    );
  });

  it("is null for a listing in progress or complete", () => {
    expect(repeatedCursor(undefined)).toBeNull();
    expect(repeatedCursor({ pages: [page(["a"], "A")], pageParams: [null] })).toBeNull();
    expect(
      repeatedCursor({ pages: [page(["a"], "A"), page(["b"], null)], pageParams: [null, "A"] }),
    ).toBeNull();
  });
});

/** A fake server answering each cursor from `answers` (null: the first page), counting calls. */
function fakeServer(answers: Record<string, KeyPageView>) {
  const calls: (string | null)[] = [];
  const list = async (args: ListKeysArgs): Promise<KeyPageView> => {
    calls.push(args.cursor ?? null);
    const answer = answers[args.cursor ?? "<first>"];
    if (!answer) throw new Error(`no page for cursor ${args.cursor}`);
    return answer;
  };
  return { list, calls };
}

/** "Load all" as the key browser runs it: the first page, then every remaining page. */
async function loadAll(list: (args: ListKeysArgs) => Promise<KeyPageView>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const observer = new InfiniteQueryObserver(client, keyListingQuery("dev", "", list));
  await observer.refetch();
  const fetched = await loadRemainingPages(
    {
      hasNextPage: observer.getCurrentResult().hasNextPage,
      fetchNextPage: () => observer.fetchNextPage(),
    },
    { cancelled: false },
  );
  const result = observer.getCurrentResult();
  return { result, fetched, repeated: repeatedCursor(result.data) };
}

describe("Load all against a server that repeats a cursor", () => {
  it("stops when a cursor seen two pages before comes back (A, B, A)", async () => {
    const server = fakeServer({
      "<first>": page(["k0"], "A"),
      A: page(["k1"], "B"),
      B: page(["k2"], "A"),
    });
    const { result, fetched, repeated } = await loadAll(server.list);
    expect(server.calls).toEqual([null, "A", "B"]);
    expect(fetched).toBe(2);
    expect(result.hasNextPage).toBe(false);
    expect(repeated).toEqual({ cursor: "A", page: 3, firstPage: 1 });
    expect(result.data?.pages.flatMap((p) => p.keys.map((k) => k.name))).toEqual([
      "k0",
      "k1",
      "k2",
    ]);
  });

  it("stops when every page carries the same cursor (Cloudflare's published example)", async () => {
    const cursor =
      "6Ck1la0VxJ0djhidm1MdX2FyDGxLKVeeHZZmORS_8XeSuhz9SjIJRaSa2lnsF01tQOHrfTGAP3R5X1Kv5iVUuMbNKhWNAXHOl6ePB0TUL8nw";
    const server = fakeServer({
      "<first>": page(["My-Key"], cursor),
      [cursor]: page(["My-Key"], cursor),
    });
    const { fetched, repeated } = await loadAll(server.list);
    expect(server.calls).toEqual([null, cursor]);
    expect(fetched).toBe(1);
    expect(repeated && repeatedCursorError(repeated).message).toContain(`"${cursor}"`);
  });

  it("loads a listing that ends to its last page", async () => {
    const server = fakeServer({
      "<first>": page(["k0"], "A"),
      A: page([], "B"),
      B: page(["k2"], null),
    });
    const { result, fetched, repeated } = await loadAll(server.list);
    expect(server.calls).toEqual([null, "A", "B"]);
    expect(fetched).toBe(2);
    expect(result.hasNextPage).toBe(false);
    expect(repeated).toBeNull();
  });
});
