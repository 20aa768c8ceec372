//! [`CoreContext`]: the one value built at start-up and passed by reference to every core
//! function. It owns settings (directories, profiles), the secret store, the audit log, the event
//! bus, and a KV store (and Postgres pool, when configured) per profile, opened on first use.
//! Features reach a profile through [`CoreContext::profile`], which returns a [`ProfileHandle`].

mod profile_changes;
mod profile_handle;

pub use profile_changes::ProfileView;
pub use profile_handle::ProfileHandle;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::Serialize;
use sqlx::PgPool;

use crate::audit::{AuditLog, AuditRecord, AuditTrail};
use crate::cache_events::console_reads::ConsoleReads;
use crate::error::{Error, Result};
use crate::events::EventBus;
use crate::kv::cloudflare::{CloudflareConfig, CloudflareStore, Namespace};
use crate::kv::local::LocalStore;
use crate::kv::read_only::ReadOnlyStore;
use crate::kv::{shared_budget, KvStore, ListOptions};
use crate::operations::{Operation, Operations};
use crate::paths::AppDirs;
use crate::profiles::{Profile, ProfileKind, ProfileSet};
use crate::secrets::{SecretKind, SecretStore};

/// The namespace used inside a local file when a profile names none.
pub const DEFAULT_LOCAL_NAMESPACE: &str = "default";

/// Shared state of the core; cloning is cheap.
#[derive(Clone)]
pub struct CoreContext {
    inner: Arc<Inner>,
}

struct Inner {
    dirs: AppDirs,
    profiles: RwLock<ProfileSet>,
    secrets: SecretStore,
    audit: AuditLog,
    events: EventBus,
    stores: tokio::sync::Mutex<HashMap<String, Arc<dyn KvStore>>>,
    pools: tokio::sync::Mutex<HashMap<String, PgPool>>,
    operations: Operations,
    /// The local namespace file, opened once for offline mirrors.
    mirror_file: tokio::sync::OnceCell<LocalStore>,
    console_reads: ConsoleReads,
}

/// The result of testing a profile's connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub store: String,
    /// Keys seen in a first page of at most 10 (0 for an empty namespace).
    pub sample_keys: usize,
    #[ts(type = "number")]
    pub round_trip_ms: u64,
}

impl CoreContext {
    /// Opens the context on the OS's directories (or those named by the environment).
    pub async fn open_default() -> Result<Self> {
        Self::open(AppDirs::from_env()?).await
    }

    /// Opens the context on `dirs`: loads the profiles and opens the local state database.
    pub async fn open(dirs: AppDirs) -> Result<Self> {
        Self::open_with_secrets(SecretStore::new(&dirs.secrets_dir()), dirs).await
    }

    /// Like [`CoreContext::open`] with a chosen secret store.
    pub async fn open_with_secrets(secrets: SecretStore, dirs: AppDirs) -> Result<Self> {
        crate::profiles::move_url_passwords(&dirs.profiles_file(), &secrets).await?;
        let profiles = ProfileSet::load(&dirs.profiles_file())?;
        let audit = AuditLog::open(&dirs.state_file()).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                profiles: RwLock::new(profiles),
                secrets,
                audit,
                events: EventBus::new(),
                stores: Default::default(),
                pools: Default::default(),
                operations: Operations::default(),
                mirror_file: tokio::sync::OnceCell::new(),
                console_reads: ConsoleReads::start(),
                dirs,
            }),
        })
    }

    /// The directories in use.
    pub fn dirs(&self) -> &AppDirs {
        &self.inner.dirs
    }

    /// The event bus.
    pub fn events(&self) -> &EventBus {
        &self.inner.events
    }

    /// The audit log.
    pub fn audit(&self) -> &AuditLog {
        &self.inner.audit
    }

    /// The queue that counts the console's own KV reads as cache events.
    pub fn console_reads(&self) -> &ConsoleReads {
        &self.inner.console_reads
    }

    /// The secret store.
    pub fn secrets(&self) -> &SecretStore {
        &self.inner.secrets
    }

    /// A snapshot of the profiles.
    pub fn profiles(&self) -> ProfileSet {
        self.inner
            .profiles
            .read()
            .map(|p| p.clone())
            .unwrap_or_default()
    }

    /// The profile named `name`, or the default one: the handle through which features use it.
    pub fn profile(&self, name: Option<&str>) -> Result<ProfileHandle> {
        Ok(ProfileHandle::new(self.clone(), self.settings(name)?))
    }

    /// The settings of the profile named `name`, or of the default one.
    fn settings(&self, name: Option<&str>) -> Result<Profile> {
        self.profiles().resolve(name)
    }

    /// Registers a long operation under a caller-chosen id (unique while it runs); its progress
    /// is published on the event bus and [`CoreContext::cancel_operation`] stops it.
    pub fn start_operation(&self, id: &str) -> Result<Operation> {
        self.inner.operations.start(&self.inner.events, id)
    }

    /// Asks a running operation to stop; returns whether one with this id was running.
    pub fn cancel_operation(&self, id: &str) -> bool {
        self.inner.operations.cancel(id)
    }

    /// The newest `limit` entries of the audit log of `profile` (its database's shared log when
    /// it names one, else this machine's), or of this machine's log when `profile` is `None`;
    /// newest first.
    pub async fn recent_audit(
        &self,
        profile: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>> {
        let trail = match profile {
            Some(profile) => self.profile(Some(profile))?.audit_trail().await?,
            None => AuditTrail::Local(self.audit().clone()),
        };
        trail.recent(limit).await
    }

    /// Opens the store of every profile in the background of start-up, so that switching to a
    /// profile later costs one listing, not a file open and a migration check. Failures are left
    /// for the switch itself to report.
    pub async fn open_all_stores(&self) {
        for profile in self.profiles().all() {
            if let Err(e) = self.store_of(&profile).await {
                tracing::debug!(profile = %profile.name, error = %e, "store not opened ahead of use");
            }
        }
    }

    /// The KV store of `profile`, opened on first use. A read-only profile's store refuses
    /// every write.
    async fn store_of(&self, profile: &Profile) -> Result<Arc<dyn KvStore>> {
        if let Some(store) = self.inner.stores.lock().await.get(&profile.name) {
            return Ok(store.clone());
        }
        // Opened without holding the map's lock, so a slow open (a big file, the keychain) never
        // holds up another profile's first listing; if two callers race, the first insert wins.
        let store = self.open_store(profile).await?;
        let store: Arc<dyn KvStore> = if profile.is_read_only() {
            Arc::new(ReadOnlyStore::new(store, &profile.name))
        } else {
            Arc::from(store)
        };
        let mut stores = self.inner.stores.lock().await;
        Ok(stores.entry(profile.name.clone()).or_insert(store).clone())
    }

    async fn open_store(&self, profile: &Profile) -> Result<Box<dyn KvStore>> {
        match profile.kind {
            ProfileKind::Local => {
                let namespace = profile
                    .namespace_id
                    .as_deref()
                    .unwrap_or(DEFAULT_LOCAL_NAMESPACE);
                Ok(Box::new(
                    LocalStore::open(&self.local_file(profile), namespace).await?,
                ))
            }
            ProfileKind::Cloudflare => Ok(Box::new(self.cloudflare_store(profile).await?)),
        }
    }

    fn local_file(&self, profile: &Profile) -> std::path::PathBuf {
        profile
            .path
            .clone()
            .unwrap_or_else(|| self.inner.dirs.local_namespace_file())
    }

    async fn cloudflare_store(&self, profile: &Profile) -> Result<CloudflareStore> {
        let (token, _) = self
            .inner
            .secrets
            .get(&profile.name, SecretKind::ApiToken)
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    format!("API token of profile {:?}", profile.name),
                    format!(
                        "not set; run `cachescope profile add {} ... --token-stdin` or set {}",
                        profile.name,
                        SecretKind::ApiToken.env_var(&profile.name)
                    ),
                )
            })?;
        let mut config = CloudflareConfig::new(
            profile.base_url(),
            profile.account_id.as_deref().unwrap_or_default(),
            profile.namespace_id.as_deref().unwrap_or_default(),
            token,
        );
        // One budget per account with the app, the daemon and every CLI run of this machine.
        config.shared_budget = Some(self.inner.dirs.data.join(shared_budget::FILE_NAME));
        CloudflareStore::new(config)
    }

    /// The offline mirror of a profile's reports: the namespace `mirror:{profile}` in the local
    /// namespace file (so it can also be browsed like any local namespace).
    pub async fn offline_mirror(&self, profile: &str) -> Result<LocalStore> {
        let path = self.inner.dirs.local_namespace_file();
        let base = self
            .inner
            .mirror_file
            .get_or_try_init(
                || async move { LocalStore::open(&path, DEFAULT_LOCAL_NAMESPACE).await },
            )
            .await?;
        Ok(base.with_namespace(&format!("mirror:{profile}")))
    }

    /// The Postgres pool of `profile` as it is (no migration), or `None` when it names no
    /// database; opened lazily on first use.
    async fn pool_of(&self, profile: &Profile) -> Result<Option<PgPool>> {
        let Some(url) = &profile.postgres_url else {
            return Ok(None);
        };
        let mut pools = self.inner.pools.lock().await;
        if let Some(pool) = pools.get(&profile.name) {
            return Ok(Some(pool.clone()));
        }
        let password = self
            .inner
            .secrets
            .get(&profile.name, SecretKind::DbPassword)
            .await?;
        let pool =
            crate::db::connect_lazy(url, password.as_ref().map(|(p, _)| p), &profile.db_limits())?;
        pools.insert(profile.name.clone(), pool.clone());
        Ok(Some(pool))
    }

    /// The namespaces a profile can point at: the account's namespaces for a Cloudflare profile,
    /// the namespaces with keys in the file (and the profile's own) for a local one.
    pub async fn namespaces(&self, name: Option<&str>) -> Result<Vec<Namespace>> {
        let profile = self.settings(name)?;
        match profile.kind {
            ProfileKind::Cloudflare => self.cloudflare_store(&profile).await?.namespaces().await,
            ProfileKind::Local => {
                let path = self.local_file(&profile);
                let current = profile
                    .namespace_id
                    .clone()
                    .unwrap_or_else(|| DEFAULT_LOCAL_NAMESPACE.to_owned());
                let mut names = LocalStore::open(&path, &current)
                    .await?
                    .namespaces()
                    .await?;
                if !names.contains(&current) {
                    names.push(current);
                    names.sort();
                }
                Ok(names
                    .into_iter()
                    .map(|n| Namespace {
                        id: n.clone(),
                        title: n,
                    })
                    .collect())
            }
        }
    }

    /// Lists a first page of at most 10 keys to prove the profile's store answers.
    pub async fn check_connection(&self, name: Option<&str>) -> Result<ConnectionCheck> {
        let store = self.profile(name)?.store().await?;
        let started = std::time::Instant::now();
        let page = store
            .list(&ListOptions {
                limit: Some(10),
                ..Default::default()
            })
            .await?;
        Ok(ConnectionCheck {
            store: store.describe(),
            sample_keys: page.keys.len(),
            round_trip_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }
}
