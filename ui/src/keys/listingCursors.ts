// The key listing's guard against a server whose cursors never end: a page whose cursor an
// earlier page of the same listing already gave (A, B, A as well as A, A) ends the listing with
// a message naming the cursor, instead of "Load all" asking for the same pages forever. The
// core holds every listing it runs to the same rule (src-tauri/core/src/kv/paging.rs).
import type { KeyPageView } from "../ipc/bindings";
import { IpcError } from "../ipc/errors";

/** The pages of a listing and the cursor each was asked for (null: the first page). */
export interface CursorPages {
  pages: readonly KeyPageView[];
  pageParams: readonly unknown[];
}

/** A cursor that came back: `page` gave it again, `firstPage` gave it first (both from 1). */
export interface RepeatedCursor {
  cursor: string;
  page: number;
  firstPage: number;
}

/** `getNextPageParam` of a key listing: the next cursor, or undefined when the listing is
 * complete or when the cursor is one an earlier page already gave (see repeatedCursor). */
export function nextKeyCursor(
  lastPage: KeyPageView,
  _allPages: readonly KeyPageView[],
  _lastPageParam: string | null,
  allPageParams: readonly unknown[],
): string | undefined {
  const cursor = lastPage.cursor;
  if (cursor === null || cursor === "" || allPageParams.includes(cursor)) return undefined;
  return cursor;
}

/** Whether the last page of the listing gave a cursor an earlier page gave (every page after
 * the first was asked for with the cursor its predecessor gave). */
export function repeatedCursor(data: CursorPages | undefined): RepeatedCursor | null {
  if (!data || data.pages.length === 0) return null;
  const cursor = data.pages[data.pages.length - 1]?.cursor;
  if (cursor === null || cursor === undefined || cursor === "") return null;
  const askedWith = data.pageParams.indexOf(cursor);
  if (askedWith < 0) return null;
  // pageParams[i] was given by page i - 1 (from 0), that is page i counting from 1.
  return { cursor, page: data.pages.length, firstPage: askedWith };
}

/** The error shown when a listing stopped at a repeated cursor. */
export function repeatedCursorError(repeated: RepeatedCursor): IpcError {
  return new IpcError(
    "internal",
    `The server gave the list cursor "${repeated.cursor}" again on page ${repeated.page} ` +
      `(page ${repeated.firstPage} gave it first): its listing would never end, so it stopped ` +
      `after ${repeated.page} pages. ` +
      "The keys shown may be incomplete; reload to start over.",
  );
}
