//! [`CoreContext`]: the one value built at start-up and passed by reference to every core
//! function. It owns settings (directories, profiles), the secret store, the audit log, the event
//! bus, and a KV store (and Postgres pool, when configured) per profile, opened on first use.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use secrecy::SecretString;
use serde::Serialize;
use sqlx::PgPool;

use crate::audit::{AuditEntry, AuditLog, AuditTrail};
use crate::error::{Error, Result};
use crate::events::{Event, EventBus};
use crate::kv::cloudflare::{CloudflareConfig, CloudflareStore, Namespace};
use crate::kv::local::LocalStore;
use crate::kv::read_only::ReadOnlyStore;
use crate::kv::{shared_budget, KvStore, ListOptions};
use crate::operations::Operations;
use crate::paths::AppDirs;
use crate::profiles::{Profile, ProfileKind, ProfileSet};
use crate::secrets::{SecretKind, SecretLocation, SecretPlace, SecretStore};
use crate::stats::console_reads::ConsoleReads;

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

/// A profile as shown to a user: no secret, only whether each is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub name: String,
    pub kind: ProfileKind,
    pub account_id: Option<String>,
    pub namespace_id: Option<String>,
    pub base_url: Option<String>,
    /// Local namespace file (local profiles; `None` = the default file).
    #[ts(type = "string | null")]
    pub path: Option<std::path::PathBuf>,
    pub postgres_url: Option<String>,
    /// Whether writes are refused (read-only, or production and not unlocked).
    pub read_only: bool,
    /// The profile's own read-only setting, apart from the production lock.
    pub read_only_setting: bool,
    pub production: bool,
    pub unlocked: bool,
    pub token_set: bool,
    pub db_password_set: bool,
    /// Where the API token is actually kept (the keychain, the fallback file, ...).
    pub token_location: SecretPlace,
    /// Where the Postgres password is actually kept.
    pub db_password_location: SecretPlace,
    pub is_default: bool,
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

    /// The long operations running now.
    pub fn operations(&self) -> &Operations {
        &self.inner.operations
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

    /// The profile named `name`, or the default one.
    pub fn profile(&self, name: Option<&str>) -> Result<Profile> {
        self.profiles().resolve(name)
    }

    /// Every profile as a user may see it (no secrets).
    pub async fn profile_views(&self) -> Result<Vec<ProfileView>> {
        let set = self.profiles();
        let default = set.resolve(None).map(|p| p.name).ok();
        let mut views = Vec::new();
        for p in set.all() {
            let token = self
                .inner
                .secrets
                .get(&p.name, SecretKind::ApiToken)
                .await?
                .map(|(_, location)| location);
            let db_password = self
                .inner
                .secrets
                .get(&p.name, SecretKind::DbPassword)
                .await?
                .map(|(_, location)| location);
            views.push(ProfileView {
                is_default: default.as_deref() == Some(p.name.as_str()),
                read_only: p.is_read_only(),
                read_only_setting: p.read_only,
                name: p.name,
                kind: p.kind,
                account_id: p.account_id,
                namespace_id: p.namespace_id,
                base_url: p.base_url,
                postgres_url: p.postgres_url,
                production: p.production,
                unlocked: p.unlocked,
                path: p.path,
                token_set: token.is_some(),
                db_password_set: db_password.is_some(),
                token_location: SecretPlace::of(token.as_ref()),
                db_password_location: SecretPlace::of(db_password.as_ref()),
            });
        }
        Ok(views)
    }

    fn update_profiles(&self, change: impl FnOnce(&mut ProfileSet) -> Result<()>) -> Result<()> {
        let path = self.inner.dirs.profiles_file();
        let mut guard = self.inner.profiles.write().map_err(|_| Error::Config {
            path: path.clone(),
            reason: "profile set poisoned by an earlier panic".to_owned(),
        })?;
        // Re-read so that a change made meanwhile by another process (CLI beside the app) is kept.
        let mut set = ProfileSet::load(&path)?;
        change(&mut set)?;
        set.save(&path)?;
        *guard = set;
        Ok(())
    }

    async fn forget_connections(&self, name: &str) {
        self.inner.stores.lock().await.remove(name);
        self.inner.pools.lock().await.remove(name);
    }

    /// Records a change to this machine's profiles in the local audit log: its intent first (a
    /// change that cannot be recorded is not made), then how it ended.
    async fn audited_profile_change<T>(
        &self,
        action: &str,
        profile: &str,
        detail: serde_json::Value,
        change: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        AuditTrail::Local(self.inner.audit.clone())
            .around(
                &AuditEntry::new(profile, action, profile).with_detail(detail),
                change,
            )
            .await
    }

    /// Adds or replaces a profile and stores its secrets; returns where each secret went. The
    /// change is audited (the profile's settings, and which secrets were set, never their values).
    pub async fn save_profile(
        &self,
        profile: Profile,
        token: Option<SecretString>,
        db_password: Option<SecretString>,
    ) -> Result<Vec<(SecretKind, SecretLocation)>> {
        // A password written into the Postgres URL goes to the secret store, never to the file.
        let mut profile = profile;
        let db_password = match (profile.take_postgres_password()?, db_password) {
            (Some(from_url), Some(given))
                if secrecy::ExposeSecret::expose_secret(&from_url)
                    != secrecy::ExposeSecret::expose_secret(&given) =>
            {
                return Err(Error::invalid(
                    format!("Postgres URL of profile {:?}", profile.name),
                    "holds a password and another one was given; give only one",
                ));
            }
            (from_url, given) => given.or(from_url),
        };
        profile.validate()?;
        let name = profile.name.clone();
        let mut detail = serde_json::to_value(&profile)
            .map_err(|e| Error::invalid(format!("profile {name:?}"), e.to_string()))?;
        if let Some(fields) = detail.as_object_mut() {
            fields.insert("tokenSet".to_owned(), token.is_some().into());
            fields.insert("dbPasswordSet".to_owned(), db_password.is_some().into());
        }
        let stored = self
            .audited_profile_change("profile-save", &name, detail, async {
                let mut stored = Vec::new();
                for (kind, secret) in [
                    (SecretKind::ApiToken, token),
                    (SecretKind::DbPassword, db_password),
                ] {
                    if let Some(secret) = secret {
                        stored.push((kind, self.inner.secrets.set(&name, kind, &secret).await?));
                    }
                }
                self.update_profiles(|set| set.upsert(profile))?;
                Ok(stored)
            })
            .await?;
        self.forget_connections(&name).await;
        self.inner.events.publish(Event::ProfilesChanged);
        Ok(stored)
    }

    /// Removes a profile and its secrets (audited).
    pub async fn remove_profile(&self, name: &str) -> Result<()> {
        self.audited_profile_change("profile-remove", name, serde_json::json!({}), async {
            self.update_profiles(|set| set.remove(name).map(drop))?;
            for kind in [SecretKind::ApiToken, SecretKind::DbPassword] {
                self.inner.secrets.delete(name, kind).await?;
            }
            Ok(())
        })
        .await?;
        self.forget_connections(name).await;
        self.inner.events.publish(Event::ProfilesChanged);
        Ok(())
    }

    /// Makes `name` the default profile (audited).
    pub async fn set_default_profile(&self, name: &str) -> Result<()> {
        self.audited_profile_change("profile-default", name, serde_json::json!({}), async {
            self.update_profiles(|set| {
                set.resolve(Some(name))?;
                set.default = Some(name.to_owned());
                Ok(())
            })
        })
        .await?;
        self.inner.events.publish(Event::ProfilesChanged);
        Ok(())
    }

    /// Opens the store of every profile in the background of start-up, so that switching to a
    /// profile later costs one listing, not a file open and a migration check. Failures are left
    /// for the switch itself to report.
    pub async fn open_all_stores(&self) {
        for profile in self.profiles().all() {
            if let Err(e) = self.store(Some(&profile.name)).await {
                tracing::debug!(profile = %profile.name, error = %e, "store not opened ahead of use");
            }
        }
    }

    /// The KV store of a profile (the default one when `None`), opened on first use. A read-only
    /// profile's store refuses every write.
    pub async fn store(&self, name: Option<&str>) -> Result<Arc<dyn KvStore>> {
        let profile = self.profile(name)?;
        if let Some(store) = self.inner.stores.lock().await.get(&profile.name) {
            return Ok(store.clone());
        }
        // Opened without holding the map's lock, so a slow open (a big file, the keychain) never
        // holds up another profile's first listing; if two callers race, the first insert wins.
        let store = self.open_store(&profile).await?;
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

    /// The Postgres pool of a profile, or `None` when it names no database.
    pub async fn postgres(&self, name: Option<&str>) -> Result<Option<PgPool>> {
        let profile = self.profile(name)?;
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
        let profile = self.profile(name)?;
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

    /// Points a profile at another namespace (of its account, or inside its file); audited.
    pub async fn switch_namespace(&self, name: &str, namespace_id: &str) -> Result<()> {
        if namespace_id.is_empty() {
            return Err(Error::invalid("namespace id", "must not be empty"));
        }
        let mut profile = self.profile(Some(name))?;
        let detail = serde_json::json!({
            "from": profile.namespace_id,
            "to": namespace_id,
        });
        profile.namespace_id = Some(namespace_id.to_owned());
        self.audited_profile_change("profile-namespace", name, detail, async {
            self.update_profiles(|set| set.upsert(profile))
        })
        .await?;
        self.forget_connections(name).await;
        self.inner.events.publish(Event::ProfilesChanged);
        Ok(())
    }

    /// Lists a first page of at most 10 keys to prove the profile's store answers.
    pub async fn check_connection(&self, name: Option<&str>) -> Result<ConnectionCheck> {
        let store = self.store(name).await?;
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
