//! Cachescope's demo data, over the core: the demo sales data in Postgres ([`source`]), the demo
//! KV namespace ([`seed`]: precompute of the reports over that data, plus the key families no
//! report writes from [`keys`]), and demo cache events for the Stats screen ([`events`]). The
//! word lists they share are in [`words`]. The core knows nothing of this crate.

pub mod events;
pub mod keys;
pub mod seed;
pub mod source;
mod words;
