//! Who acts: the OS user and host of this console, as recorded in audit entries, job runs,
//! precompute runs and job setting changes.

use std::fmt;

/// The OS user and host running this console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: String,
    pub host: String,
}

impl Actor {
    /// The user and host of this process (`unknown` when the host name cannot be read).
    pub fn current() -> Self {
        Self {
            user: whoami::username(),
            host: whoami::fallible::hostname().unwrap_or_else(|_| "unknown".to_owned()),
        }
    }
}

/// `user@host`, as stored in the `updated_by` columns.
impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.host)
    }
}
