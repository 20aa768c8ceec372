// Tests of the cache updates after key changes, on a real QueryClient.
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { KeyView } from "../ipc/bindings";
import { queryKeys } from "../ipc/queryKeys";
import {
  type KeyListing,
  MAX_REFETCHED_PAGES,
  refreshProfileKeys,
  reloadListing,
  removeKeyFromListings,
  setKeyExpirationInListings,
} from "./keyCache";

const key = (name: string, expiration: number | null = null): KeyView => ({
  name,
  expiration,
  metadata: null,
});

function listing(pageCount: number, names: string[] = []): KeyListing {
  return {
    pages: Array.from({ length: pageCount }, (_, i) => ({
      keys: i === 0 ? names.map((n) => key(n)) : [],
      cursor: i === pageCount - 1 ? null : `c${i}`,
    })),
    pageParams: Array.from({ length: pageCount }, (_, i) => (i === 0 ? null : `c${i - 1}`)),
  };
}

const names = (data: KeyListing | undefined) =>
  data?.pages.flatMap((p) => p.keys.map((k) => `${k.name}@${k.expiration}`));

describe("removeKeyFromListings", () => {
  it("removes the key from every listing of that profile only", () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.keys("dev", ""), listing(1, ["a", "b"]));
    client.setQueryData(queryKeys.keys("dev", "a"), listing(1, ["a"]));
    client.setQueryData(queryKeys.keys("prod", ""), listing(1, ["a"]));
    client.setQueryData(queryKeys.value("dev", "a", 1024), { key: "a" });
    removeKeyFromListings(client, "dev", "a");
    expect(names(client.getQueryData(queryKeys.keys("dev", "")))).toEqual(["b@null"]);
    expect(names(client.getQueryData(queryKeys.keys("dev", "a")))).toEqual([]);
    expect(names(client.getQueryData(queryKeys.keys("prod", "")))).toEqual(["a@null"]);
    expect(client.getQueryData(queryKeys.value("dev", "a", 1024))).toBeUndefined();
  });
});

describe("setKeyExpirationInListings", () => {
  it("updates that key's expiry", () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.keys("dev", ""), listing(1, ["a", "b"]));
    setKeyExpirationInListings(client, "dev", "b", 1_800_000_000);
    expect(names(client.getQueryData(queryKeys.keys("dev", "")))).toEqual([
      "a@null",
      "b@1800000000",
    ]);
  });
});

describe("refreshProfileKeys", () => {
  function seeded() {
    const client = new QueryClient();
    client.setQueryData(queryKeys.keys("dev", ""), listing(MAX_REFETCHED_PAGES + 1, ["a"]));
    client.setQueryData(queryKeys.keys("dev", "a"), listing(2, ["a"]));
    client.setQueryData(queryKeys.value("dev", "a", null), { key: "a" });
    client.setQueryData(queryKeys.keys("prod", ""), listing(1, ["a"]));
    return client;
  }

  it("invalidates short listings and values, leaves other profiles", () => {
    const client = seeded();
    refreshProfileKeys(client, "dev", "keep");
    const state = (queryKey: readonly unknown[]) => client.getQueryState(queryKey);
    expect(state(queryKeys.keys("dev", "a"))?.isInvalidated).toBe(true);
    expect(state(queryKeys.keys("dev", "a"))?.data).toBeDefined();
    expect(state(queryKeys.value("dev", "a", null))?.isInvalidated).toBe(true);
    expect(state(queryKeys.keys("prod", ""))?.isInvalidated).toBe(false);
  });

  it("keeps long listings untouched, or resets them to nothing loaded", () => {
    const kept = seeded();
    refreshProfileKeys(kept, "dev", "keep");
    expect(kept.getQueryState(queryKeys.keys("dev", ""))?.isInvalidated).toBe(false);
    expect(kept.getQueryData<KeyListing>(queryKeys.keys("dev", ""))?.pages).toHaveLength(11);

    const reset = seeded();
    refreshProfileKeys(reset, "dev", "reset");
    expect(reset.getQueryData(queryKeys.keys("dev", ""))).toBeUndefined();
  });
});

describe("reloadListing", () => {
  it("drops the loaded pages of that listing only", () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.keys("dev", ""), listing(3, ["a"]));
    client.setQueryData(queryKeys.keys("dev", "a"), listing(3, ["a"]));
    reloadListing(client, "dev", "");
    expect(client.getQueryData(queryKeys.keys("dev", ""))).toBeUndefined();
    expect(client.getQueryData(queryKeys.keys("dev", "a"))).toBeDefined();
  });
});
