//! Secrets (a profile's Cloudflare API token and Postgres password): held as `SecretString`,
//! stored in the OS keychain, and never written to settings, logs, errors or the UI.
//!
//! Where no keychain exists (a headless Linux CI has no Secret Service) the fallback is explicit
//! and reported, never silent: a file per secret under `<config>/secrets/`, mode 0600. An
//! environment variable `CACHESCOPE_<KIND>_<PROFILE>` (e.g. `CACHESCOPE_API_TOKEN_PROD`) overrides
//! both for scripts; `CACHESCOPE_SECRET_STORE=file` skips the keychain altogether.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::error::{Error, Result};

const KEYCHAIN_SERVICE: &str = "cachescope";

/// Which secret of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    ApiToken,
    DbPassword,
}

impl SecretKind {
    fn slug(self) -> &'static str {
        match self {
            SecretKind::ApiToken => "api-token",
            SecretKind::DbPassword => "db-password",
        }
    }

    /// The environment variable that overrides this secret for `profile`.
    pub fn env_var(self, profile: &str) -> String {
        let kind = match self {
            SecretKind::ApiToken => "API_TOKEN",
            SecretKind::DbPassword => "DB_PASSWORD",
        };
        let profile: String = profile
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        format!("CACHESCOPE_{kind}_{profile}")
    }
}

/// Where a secret was found or stored; shown to the user so the fallback is never silent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SecretLocation {
    Keychain,
    File { path: PathBuf },
    Environment { variable: String },
}

impl std::fmt::Display for SecretLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretLocation::Keychain => write!(f, "the OS keychain"),
            SecretLocation::File { path } => write!(
                f,
                "the file {} (mode 0600; no OS keychain available)",
                path.display()
            ),
            SecretLocation::Environment { variable } => {
                write!(f, "the environment variable {variable}")
            }
        }
    }
}

/// Where a profile's secret is kept, as the profile view shows it (no path, no variable name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SecretPlace {
    /// The OS keychain.
    Keychain,
    /// The 0600 fallback file (no OS keychain available).
    File,
    /// An environment variable that overrides the stored secret.
    Environment,
    /// Not set anywhere.
    None,
}

impl SecretPlace {
    /// The place of a secret found at `location`, or [`SecretPlace::None`].
    pub fn of(location: Option<&SecretLocation>) -> Self {
        match location {
            Some(SecretLocation::Keychain) => Self::Keychain,
            Some(SecretLocation::File { .. }) => Self::File,
            Some(SecretLocation::Environment { .. }) => Self::Environment,
            None => Self::None,
        }
    }
}

/// Reads and writes secrets: environment override, then keychain, then the 0600 file fallback.
#[derive(Debug, Clone)]
pub struct SecretStore {
    dir: PathBuf,
    use_keychain: bool,
}

impl SecretStore {
    /// A store whose fallback files live in `dir`; the keychain is used unless
    /// `CACHESCOPE_SECRET_STORE=file`.
    pub fn new(dir: &Path) -> Self {
        let use_keychain = std::env::var("CACHESCOPE_SECRET_STORE")
            .map(|v| v != "file")
            .unwrap_or(true);
        Self {
            dir: dir.to_owned(),
            use_keychain,
        }
    }

    /// A store that only uses files (tests, portable installs).
    pub fn files_only(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            use_keychain: false,
        }
    }

    fn file(&self, profile: &str, kind: SecretKind) -> PathBuf {
        self.dir.join(format!("{profile}.{}", kind.slug()))
    }

    fn account(profile: &str, kind: SecretKind) -> String {
        format!("profile:{profile}:{}", kind.slug())
    }

    /// The secret, and where it came from; `None` when it is set nowhere.
    pub async fn get(
        &self,
        profile: &str,
        kind: SecretKind,
    ) -> Result<Option<(SecretString, SecretLocation)>> {
        let variable = kind.env_var(profile);
        if let Ok(value) = std::env::var(&variable) {
            if !value.is_empty() {
                return Ok(Some((
                    SecretString::from(value),
                    SecretLocation::Environment { variable },
                )));
            }
        }
        if self.use_keychain {
            let account = Self::account(profile, kind);
            match blocking(move || keyring::Entry::new(KEYCHAIN_SERVICE, &account)?.get_password())
                .await
            {
                Ok(secret) => {
                    return Ok(Some((SecretString::from(secret), SecretLocation::Keychain)))
                }
                Err(keyring::Error::NoEntry) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "keychain unavailable; trying the fallback file")
                }
            }
        }
        let path = self.file(profile, kind);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                check_private(&path)?;
                Ok(Some((
                    SecretString::from(text.trim_end().to_owned()),
                    SecretLocation::File { path },
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::Io { path, source }),
        }
    }

    /// Stores the secret in the keychain, or in a 0600 file when there is none; says which.
    pub async fn set(
        &self,
        profile: &str,
        kind: SecretKind,
        secret: &SecretString,
    ) -> Result<SecretLocation> {
        if secret.expose_secret().is_empty() {
            return Err(Error::invalid("secret", "empty"));
        }
        if self.use_keychain {
            let account = Self::account(profile, kind);
            let value = secret.expose_secret().to_owned();
            match blocking(move || {
                keyring::Entry::new(KEYCHAIN_SERVICE, &account)?.set_password(&value)
            })
            .await
            {
                Ok(()) => {
                    // A stale fallback file must not shadow the keychain's newer value.
                    let _ = std::fs::remove_file(self.file(profile, kind));
                    return Ok(SecretLocation::Keychain);
                }
                Err(e) => {
                    tracing::info!(error = %e, "no usable OS keychain; storing the secret in a 0600 file")
                }
            }
        }
        let path = self.file(profile, kind);
        write_private(&path, secret.expose_secret().as_bytes())?;
        Ok(SecretLocation::File { path })
    }

    /// Removes the secret from the keychain and the fallback file.
    pub async fn delete(&self, profile: &str, kind: SecretKind) -> Result<()> {
        if self.use_keychain {
            let account = Self::account(profile, kind);
            match blocking(move || {
                keyring::Entry::new(KEYCHAIN_SERVICE, &account)?.delete_credential()
            })
            .await
            {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "keychain unavailable while deleting a secret")
                }
            }
        }
        let path = self.file(profile, kind);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(Error::Io { path, source }),
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> keyring::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(keyring::Error::PlatformFailure(Box::new(e))))
}

/// Writes a secret file only its owner can read: a unique temporary file per write, created 0600
/// (never briefly world-readable, never shared by two secrets being stored at once), renamed into
/// place; the folder is created 0700 so its file names (profile names) are not listed to others.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::private_files::write_atomic(path, bytes)
}

/// Refuses a secret file that others can read.
fn check_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .map_err(|source| Error::Io {
                path: path.to_owned(),
                source,
            })?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(Error::Secret(format!(
                "{} is readable by other users (mode {:o}); run `chmod 600` on it",
                path.display(),
                mode & 0o777
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_fallback_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::files_only(dir.path());
        let secret = SecretString::from("tok-123".to_owned());
        let location = store
            .set("staging", SecretKind::ApiToken, &secret)
            .await
            .unwrap();
        let SecretLocation::File { path } = &location else {
            panic!("expected a file: {location:?}")
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(
                std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (read, _) = store
            .get("staging", SecretKind::ApiToken)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.expose_secret(), "tok-123");
        store.delete("staging", SecretKind::ApiToken).await.unwrap();
        assert!(store
            .get("staging", SecretKind::ApiToken)
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn a_world_readable_secret_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::files_only(dir.path());
        let path = dir.path().join("p.db-password");
        std::fs::write(&path, "pw").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = store.get("p", SecretKind::DbPassword).await.unwrap_err();
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
    }

    /// Both secrets of a profile stored at the same moment (the app and the CLI saving the same
    /// profile): each keeps its own value, no write fails, no temporary file is left.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn both_secrets_of_a_profile_stored_at_once_keep_their_own_values() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::files_only(dir.path());
        const WRITERS: usize = 8;
        for round in 0..30 {
            let values = [
                (SecretKind::ApiToken, format!("token-{round}")),
                (SecretKind::DbPassword, format!("password-{round}")),
            ];
            // Blocking threads released together, so the writes overlap.
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(WRITERS));
            let tasks: Vec<_> = (0..WRITERS)
                .map(|i| {
                    let (kind, value) = values[i % 2].clone();
                    let (store, barrier) = (store.clone(), barrier.clone());
                    tokio::task::spawn_blocking(move || {
                        barrier.wait();
                        futures::executor::block_on(store.set(
                            "prod.eu",
                            kind,
                            &SecretString::from(value),
                        ))
                        .map(drop)
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap().unwrap();
            }
            for (kind, value) in &values {
                let (read, _) = store.get("prod.eu", *kind).await.unwrap().unwrap();
                assert_eq!(read.expose_secret(), value, "round {round}");
            }
        }
        // Only the two secret files are left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn env_var_names_are_derived_from_the_profile() {
        assert_eq!(
            SecretKind::ApiToken.env_var("prod-eu.1"),
            "CACHESCOPE_API_TOKEN_PROD_EU_1"
        );
    }
}
