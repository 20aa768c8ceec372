//! The seeded random generator behind the hand-made demo keys, with the draws they need
//! (ranges, picks, weighted indices, ids, UUIDs, times before now).

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The demo keys' random generator: seeded, so the same seed gives the same keys.
pub(super) struct Gen(pub(super) StdRng);

impl Gen {
    pub(super) fn new(seed: u64) -> Self {
        Self(StdRng::seed_from_u64(seed))
    }

    pub(super) fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.0.random_range(lo..=hi)
    }

    pub(super) fn index(&mut self, len: usize) -> usize {
        self.0.random_range(0..len)
    }

    pub(super) fn float(&mut self, lo: f64, hi: f64) -> f64 {
        self.0.random_range(lo..hi)
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p.clamp(0.0, 1.0))
    }

    /// One item of a non-empty slice.
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    pub(super) fn hex(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|_| char::from(b"0123456789abcdef"[self.index(16)]))
            .collect()
    }

    /// A version-4 UUID.
    pub(super) fn uuid(&mut self) -> String {
        let hi: u64 = (self.0.random::<u64>() & 0xffff_ffff_ffff_0fff) | 0x4000;
        let lo: u64 = (self.0.random::<u64>() & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xffff,
            hi & 0xffff,
            lo >> 48,
            lo & 0xffff_ffff_ffff
        )
    }

    /// An index drawn with probability proportional to its weight.
    pub(super) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.float(0.0, total.max(f64::MIN_POSITIVE));
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    pub(super) fn secs_ago(&mut self, now: DateTime<Utc>, lo: i64, hi: i64) -> DateTime<Utc> {
        now - Duration::seconds(self.int(lo, hi))
    }
}
