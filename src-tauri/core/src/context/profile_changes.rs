//! Changes to this machine's profiles (save, remove, make default, switch namespace), each
//! audited in the local log before it is made, and the profiles as a user may see them.

use secrecy::SecretString;
use serde::Serialize;

use super::CoreContext;
use crate::audit::{AuditEntry, AuditTrail};
use crate::error::{Error, Result};
use crate::events::Event;
use crate::profiles::{Profile, ProfileKind, ProfileSet};
use crate::secrets::{SecretKind, SecretLocation, SecretPlace};

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

impl CoreContext {
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

    /// Points a profile at another namespace (of its account, or inside its file); audited.
    pub async fn switch_namespace(&self, name: &str, namespace_id: &str) -> Result<()> {
        if namespace_id.is_empty() {
            return Err(Error::invalid("namespace id", "must not be empty"));
        }
        let mut profile = self.settings(Some(name))?;
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
}
