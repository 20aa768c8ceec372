//! The one rule that ends a paged listing whose server would page forever: a cursor seen before
//! in the listing, too many empty pages in a row, or more pages than the keys listed could need
//! stop it with [`Error::KvPagingLoop`], naming the cursor.
//!
//! Cloudflare may answer an empty page (or a short one) that still carries a cursor when keys
//! under it have expired but are not yet purged, so a run of empty pages and some short pages are
//! followed; a cursor that comes back never is, since the same request would get the same answer.

use std::collections::HashMap;

use crate::error::{Error, Result};

/// Empty pages carrying a cursor followed in a row: 100 pages of expired keys (100,000 keys at
/// 1,000 a page) is more than a namespace shows between purges; the next one ends the listing.
pub const MAX_CONSECUTIVE_EMPTY_PAGES: u32 = 100;

/// Pages allowed beyond those the keys listed so far fill (`ceil(keys / page size)`): short
/// pages are normal near expired keys, but 1,000 more of them than full ones is a server that
/// hands out cursors without end.
pub const EXTRA_PAGES_ALLOWED: u64 = 1_000;

/// Watches one listing page by page; [`PagingGuard::page`] fails as soon as the listing cannot
/// be ending.
#[derive(Debug)]
pub struct PagingGuard {
    listing: String,
    per_page: u64,
    /// Every cursor of this listing, with the page that brought it (0: the one it started from).
    seen: HashMap<String, u64>,
    pages: u64,
    items: u64,
    empty_run: u32,
    max_pages: Option<(u64, &'static str)>,
}

impl PagingGuard {
    /// A guard for the listing `listing` (a URL or a store's description and prefix, for the
    /// error) of at most `per_page` items a page, starting from `start` (a cursor or none).
    pub fn new(listing: impl Into<String>, per_page: u32, start: Option<&str>) -> Self {
        Self {
            listing: listing.into(),
            per_page: u64::from(per_page.max(1)),
            seen: start.map(|c| (c.to_owned(), 0)).into_iter().collect(),
            pages: 0,
            items: 0,
            empty_run: 0,
            max_pages: None,
        }
    }

    /// Also ends the listing past `pages` pages in all; `why` says where that number comes from.
    pub fn at_most(mut self, pages: u64, why: &'static str) -> Self {
        self.max_pages = Some((pages, why));
        self
    }

    /// Pages recorded so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// Records one page of `items` items that came with `next` (`None`: the listing is complete)
    /// and fails when the listing cannot be ending.
    pub fn page(&mut self, items: usize, next: Option<&str>) -> Result<()> {
        self.pages += 1;
        self.items += items as u64;
        let Some(next) = next else {
            return Ok(());
        };
        if let Some(first) = self.seen.get(next) {
            let reason = match first {
                0 => "the page asked for with this cursor came back with it again".to_owned(),
                n => format!(
                    "page {} came back with the cursor page {n} already gave",
                    self.pages
                ),
            };
            return Err(self.fail(next, reason));
        }
        if items == 0 {
            self.empty_run += 1;
            if self.empty_run > MAX_CONSECUTIVE_EMPTY_PAGES {
                let reason = format!(
                    "{} empty pages in a row, each with a new cursor (at most \
                     {MAX_CONSECUTIVE_EMPTY_PAGES} are followed: expired keys leave empty pages, \
                     but not without end)",
                    self.empty_run
                );
                return Err(self.fail(next, reason));
            }
        } else {
            self.empty_run = 0;
        }
        let needed = self.items.div_ceil(self.per_page);
        if self.pages > needed + EXTRA_PAGES_ALLOWED {
            let reason = format!(
                "{} pages for {} items at up to {} a page: more than the {needed} pages those \
                 items fill plus {EXTRA_PAGES_ALLOWED} short ones",
                self.pages, self.items, self.per_page
            );
            return Err(self.fail(next, reason));
        }
        if let Some((max, why)) = self.max_pages {
            if self.pages >= max {
                let reason = format!(
                    "{} pages and the server still has more; {max} pages are the most this \
                     listing may take ({why})",
                    self.pages
                );
                return Err(self.fail(next, reason));
            }
        }
        self.seen.insert(next.to_owned(), self.pages);
        Ok(())
    }

    /// The error that ends this listing at `cursor`, for `reason`.
    pub fn fail(&self, cursor: &str, reason: String) -> Error {
        Error::KvPagingLoop {
            listing: self.listing.clone(),
            cursor: cursor.to_owned(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(err: Error) -> (String, String) {
        match err {
            Error::KvPagingLoop { cursor, reason, .. } => (cursor, reason),
            other => panic!("not a paging loop: {other:?}"),
        }
    }

    #[test]
    fn a_listing_that_ends_passes() {
        let mut guard = PagingGuard::new("keys", 1000, None);
        guard.page(1000, Some("a")).unwrap();
        guard.page(0, Some("b")).unwrap();
        guard.page(17, Some("c")).unwrap();
        guard.page(1000, None).unwrap();
        assert_eq!(guard.pages(), 4);
    }

    #[test]
    fn any_cursor_seen_before_ends_the_listing() {
        let mut guard = PagingGuard::new("keys", 1000, None);
        guard.page(1000, Some("A")).unwrap();
        guard.page(1000, Some("B")).unwrap();
        let (cursor, why) = reason(guard.page(1000, Some("A")).unwrap_err());
        assert_eq!(cursor, "A");
        assert_eq!(why, "page 3 came back with the cursor page 1 already gave");

        let mut from = PagingGuard::new("keys", 1000, Some("X"));
        let (cursor, why) = reason(from.page(1, Some("X")).unwrap_err());
        assert_eq!(cursor, "X");
        assert_eq!(
            why,
            "the page asked for with this cursor came back with it again"
        );
    }

    #[test]
    fn empty_pages_are_followed_up_to_the_bound_then_end() {
        let mut guard = PagingGuard::new("keys", 1000, None);
        for i in 0..MAX_CONSECUTIVE_EMPTY_PAGES {
            guard.page(0, Some(&format!("e{i}"))).unwrap();
        }
        // A page with keys resets the run.
        guard.page(3, Some("k")).unwrap();
        for i in 0..MAX_CONSECUTIVE_EMPTY_PAGES {
            guard.page(0, Some(&format!("f{i}"))).unwrap();
        }
        let (cursor, why) = reason(guard.page(0, Some("last")).unwrap_err());
        assert_eq!(cursor, "last");
        assert!(why.starts_with("101 empty pages in a row"), "{why}");
    }

    #[test]
    fn more_pages_than_the_keys_need_end_the_listing() {
        let mut guard = PagingGuard::new("keys", 1000, None);
        // One key a page: page n has listed n keys, which fill ceil(n / 1000) pages.
        let mut n = 0u64;
        let err = loop {
            n += 1;
            if let Err(e) = guard.page(1, Some(&format!("c{n}"))) {
                break e;
            }
            assert!(n < 10_000, "never ended");
        };
        assert_eq!(n, 1003);
        let (cursor, why) = reason(err);
        assert_eq!(cursor, "c1003");
        assert_eq!(
            why,
            "1003 pages for 1003 items at up to 1000 a page: more than the 2 pages those items \
             fill plus 1000 short ones"
        );
    }

    #[test]
    fn a_hard_page_cap_names_its_reason() {
        let mut guard = PagingGuard::new("namespaces", 100, None).at_most(3, "test cap");
        guard.page(100, Some("page=2")).unwrap();
        guard.page(100, Some("page=3")).unwrap();
        let (cursor, why) = reason(guard.page(100, Some("page=4")).unwrap_err());
        assert_eq!(cursor, "page=4");
        assert!(
            why.contains("3 pages are the most") && why.contains("test cap"),
            "{why}"
        );
        // The last page of a listing is never refused.
        let mut done = PagingGuard::new("namespaces", 100, None).at_most(1, "test cap");
        done.page(7, None).unwrap();
    }
}
