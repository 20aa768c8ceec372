//! Connection profiles: which namespace to open (local SQLite or Cloudflare), an optional
//! Postgres URL, and whether writes are allowed. Stored as TOML in the config directory; never
//! holds a secret (tokens and passwords live in [`crate::secrets`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::kv::cloudflare::DEFAULT_BASE_URL;

/// The profile that exists when none is configured: the embedded local namespace.
pub const BUILTIN_LOCAL: &str = "local";

/// Where a profile's keys live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    Local,
    Cloudflare,
}

impl std::str::FromStr for ProfileKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "local" => Ok(Self::Local),
            "cloudflare" => Ok(Self::Cloudflare),
            other => Err(Error::invalid(
                "profile kind",
                format!("{other:?}; expected \"local\" or \"cloudflare\""),
            )),
        }
    }
}

/// One connection profile, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub kind: ProfileKind,
    /// Cloudflare account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Cloudflare namespace id, or the namespace name inside a local file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_id: Option<String>,
    /// Cloudflare API base URL (default: Cloudflare's public API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Local namespace file (default: the data directory's `local-namespace.sqlite`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// Postgres URL without a password (the password is a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres_url: Option<String>,
    #[serde(default)]
    pub read_only: bool,
    /// Production profiles are read-only unless `unlocked`.
    #[serde(default)]
    pub production: bool,
    #[serde(default)]
    pub unlocked: bool,
}

impl Profile {
    /// The built-in local profile.
    pub fn builtin_local() -> Self {
        Self {
            name: BUILTIN_LOCAL.to_owned(),
            kind: ProfileKind::Local,
            account_id: None,
            namespace_id: None,
            base_url: None,
            path: None,
            postgres_url: None,
            read_only: false,
            production: false,
            unlocked: false,
        }
    }

    /// Whether writes are refused: read-only, or production and not unlocked.
    pub fn is_read_only(&self) -> bool {
        self.read_only || (self.production && !self.unlocked)
    }

    /// The API base URL this profile talks to.
    pub fn base_url(&self) -> &str {
        self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL)
    }

    /// Checks that the profile is complete and holds no secret.
    pub fn validate(&self) -> Result<()> {
        let ok_name = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !ok_name {
            return Err(Error::invalid(
                format!("profile name {:?}", self.name),
                "use 1-64 letters, digits, '-', '_' or '.'",
            ));
        }
        if self.kind == ProfileKind::Cloudflare {
            for (field, value) in [
                ("an account id", &self.account_id),
                ("a namespace id", &self.namespace_id),
            ] {
                if value.as_deref().is_none_or(str::is_empty) {
                    return Err(Error::invalid(
                        format!("profile {:?}", self.name),
                        format!("a Cloudflare profile needs {field}"),
                    ));
                }
            }
            reqwest::Url::parse(self.base_url()).map_err(|e| {
                Error::invalid(
                    format!("base URL of profile {:?}", self.name),
                    e.to_string(),
                )
            })?;
        }
        if let Some(url) = &self.postgres_url {
            let parsed = reqwest::Url::parse(url).map_err(|e| {
                Error::invalid(
                    format!("Postgres URL of profile {:?}", self.name),
                    e.to_string(),
                )
            })?;
            if !matches!(parsed.scheme(), "postgres" | "postgresql") {
                return Err(Error::invalid(
                    format!("Postgres URL of profile {:?}", self.name),
                    "must start with postgres:// or postgresql://",
                ));
            }
            if parsed.password().is_some() {
                return Err(Error::invalid(
                    format!("Postgres URL of profile {:?}", self.name),
                    "must not contain a password; store it with --db-password-stdin (it goes to the keychain)",
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfilesFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(default, rename = "profile")]
    profiles: Vec<Profile>,
}

/// All profiles of an installation, loaded from and saved to `profiles.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSet {
    /// Configured profiles, in file order (the built-in local profile is not stored).
    pub profiles: Vec<Profile>,
    pub default: Option<String>,
}

impl ProfileSet {
    /// Loads the file; a missing file is an empty set.
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(Error::Config {
                    path: path.to_owned(),
                    reason: e.to_string(),
                })
            }
        };
        let file: ProfilesFile = toml::from_str(&text).map_err(|e| Error::Config {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        for profile in &file.profiles {
            profile.validate().map_err(|e| Error::Config {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        }
        Ok(Self {
            profiles: file.profiles,
            default: file.default,
        })
    }

    /// Saves atomically: a temporary file in the same directory, then a rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        let config_err = |reason: String| Error::Config {
            path: path.to_owned(),
            reason,
        };
        let file = ProfilesFile {
            default: self.default.clone(),
            profiles: self.profiles.clone(),
        };
        let text = toml::to_string_pretty(&file).map_err(|e| config_err(e.to_string()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| config_err(e.to_string()))?;
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text).map_err(|e| config_err(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| config_err(e.to_string()))
    }

    /// Every profile, the built-in local one included unless a stored profile shadows its name.
    pub fn all(&self) -> Vec<Profile> {
        let mut all = self.profiles.clone();
        if !all.iter().any(|p| p.name == BUILTIN_LOCAL) {
            all.insert(0, Profile::builtin_local());
        }
        all
    }

    /// The profile named `name`, or the default one when `name` is `None`.
    pub fn resolve(&self, name: Option<&str>) -> Result<Profile> {
        let name = name.or(self.default.as_deref()).unwrap_or(BUILTIN_LOCAL);
        self.all()
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::ProfileNotFound(name.to_owned()))
    }

    /// Adds or replaces a profile.
    pub fn upsert(&mut self, profile: Profile) -> Result<()> {
        profile.validate()?;
        match self.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(existing) => *existing = profile,
            None => self.profiles.push(profile),
        }
        Ok(())
    }

    /// Removes a stored profile.
    pub fn remove(&mut self, name: &str) -> Result<Profile> {
        let index = self
            .profiles
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| Error::ProfileNotFound(name.to_owned()))?;
        if self.default.as_deref() == Some(name) {
            self.default = None;
        }
        Ok(self.profiles.remove(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloudflare(name: &str) -> Profile {
        Profile {
            name: name.into(),
            kind: ProfileKind::Cloudflare,
            account_id: Some("acct".into()),
            namespace_id: Some("ns".into()),
            ..Profile::builtin_local()
        }
    }

    #[test]
    fn production_is_read_only_until_unlocked() {
        let mut p = cloudflare("prod");
        p.production = true;
        assert!(p.is_read_only());
        p.unlocked = true;
        assert!(!p.is_read_only());
        p.read_only = true;
        assert!(p.is_read_only());
    }

    #[test]
    fn postgres_url_with_password_is_refused() {
        let mut p = cloudflare("x");
        p.postgres_url = Some("postgres://app:hunter2@db/app".into());
        let err = p.validate().unwrap_err().to_string();
        assert!(
            err.contains("must not contain a password") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn round_trips_through_toml_and_keeps_builtin_local() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        let mut set = ProfileSet::default();
        set.upsert(cloudflare("staging")).unwrap();
        set.default = Some("staging".into());
        set.save(&path).unwrap();
        let loaded = ProfileSet::load(&path).unwrap();
        assert_eq!(loaded, set);
        assert_eq!(loaded.resolve(None).unwrap().name, "staging");
        assert_eq!(
            loaded.resolve(Some("local")).unwrap().kind,
            ProfileKind::Local
        );
        assert!(matches!(
            loaded.resolve(Some("nope")),
            Err(Error::ProfileNotFound(_))
        ));
    }
}
