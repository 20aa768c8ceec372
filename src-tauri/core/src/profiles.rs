//! Connection profiles: which namespace to open (local SQLite or Cloudflare), an optional
//! Postgres URL, and whether writes are allowed. Stored as TOML in the config directory; never
//! holds a secret (tokens and passwords live in [`crate::secrets`]).

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::db_limits::DbLimits;
use crate::error::{Error, Result};
use crate::kv::cloudflare::DEFAULT_BASE_URL;
use crate::kv::plan::PlanLimits;
use crate::secrets::{SecretKind, SecretStore};

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
    /// Time limits of the Postgres work (`[profile.db_limits]`); `None` = the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_limits: Option<DbLimits>,
    /// The KV plan's daily limits (`[profile.plan]`, for a paid plan); `None` = the free plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanLimits>,
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
            db_limits: None,
            plan: None,
        }
    }

    /// The time limits of this profile's Postgres work.
    pub fn db_limits(&self) -> DbLimits {
        self.db_limits.unwrap_or_default()
    }

    /// The daily limits of this profile's KV plan (the free plan's unless `[profile.plan]` says).
    pub fn plan(&self) -> PlanLimits {
        self.plan.unwrap_or_default()
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
            check_base_url(&self.name, self.base_url())?;
        }
        if let Some(limits) = &self.db_limits {
            limits.validate(&self.name)?;
        }
        if let Some(plan) = &self.plan {
            plan.validate(&self.name)?;
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
            let in_query = parsed.query_pairs().any(|(key, _)| is_password_param(&key));
            if parsed.password().is_some() || in_query {
                return Err(Error::invalid(
                    format!("Postgres URL of profile {:?}", self.name),
                    "must not contain a password; store it with --db-password-stdin (it goes to the keychain)",
                ));
            }
            if let Some((key, _)) = parsed
                .query_pairs()
                .find(|(key, _)| key.to_ascii_lowercase().contains("password"))
            {
                return Err(Error::invalid(
                    format!("Postgres URL of profile {:?}", self.name),
                    format!("parameter {key:?} is not supported (its value would be logged as an unknown parameter); remove it"),
                ));
            }
        }
        Ok(())
    }
}

/// Whether a query parameter of a Postgres URL is the password (`?password=`).
fn is_password_param(key: &str) -> bool {
    key.eq_ignore_ascii_case("password")
}

/// The base URL as it may be shown: without a user name or password.
fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

/// A Cloudflare API base URL must be https, since every request carries the API token; plain
/// http is allowed only to this machine (127.0.0.0/8, ::1, localhost), e.g. a local simulator.
fn check_base_url(profile: &str, base_url: &str) -> Result<()> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|e| Error::invalid(format!("base URL of profile {profile:?}"), e.to_string()))?;
    // The host as the URL parser normalised it: a lower-case name, or an IP (IPv6 in brackets).
    let loopback = url.host_str().is_some_and(|host| {
        host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(Error::invalid(
            format!("base URL {} of profile {profile:?}", shown_url(&url)),
            "would send the API token in clear text; use https:// (http:// is allowed only for 127.0.0.1, ::1 or localhost)",
        )),
        other => Err(Error::invalid(
            format!("base URL {} of profile {profile:?}", shown_url(&url)),
            format!("has the scheme {other:?}; use https://"),
        )),
    }
}

/// Takes the password out of a Postgres URL (`user:password@` or `?password=`): returns the URL
/// without it, and the password (the same one may be given both ways; two different ones are
/// refused). A URL without a password is returned unchanged.
pub fn split_postgres_password(profile: &str, url: &str) -> Result<(String, Option<SecretString>)> {
    let what = || format!("Postgres URL of profile {profile:?}");
    let mut parsed = reqwest::Url::parse(url).map_err(|e| Error::invalid(what(), e.to_string()))?;
    let mut found: Vec<String> = Vec::new();
    if let Some(password) = parsed.password() {
        let decoded = percent_encoding::percent_decode_str(password)
            .decode_utf8()
            .map_err(|_| Error::invalid(what(), "its password is not valid UTF-8"))?
            .into_owned();
        found.push(decoded);
        parsed
            .set_password(None)
            .map_err(|()| Error::invalid(what(), "its password cannot be removed"))?;
    }
    let (passwords, rest): (Vec<_>, Vec<_>) = parsed
        .query_pairs()
        .into_owned()
        .partition(|(key, _)| is_password_param(key));
    if found.is_empty() && passwords.is_empty() {
        return Ok((url.to_owned(), None));
    }
    if !passwords.is_empty() {
        found.extend(passwords.into_iter().map(|(_, value)| value));
        if rest.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(rest);
        }
    }
    found.retain(|p| !p.is_empty());
    found.dedup();
    if found.len() > 1 {
        return Err(Error::invalid(
            what(),
            "holds two different passwords (user:password@ and ?password=); keep one",
        ));
    }
    Ok((parsed.to_string(), found.pop().map(SecretString::from)))
}

impl Profile {
    /// Takes a password out of the profile's Postgres URL (see [`split_postgres_password`]), so
    /// that it goes to the secret store and the URL is stored without it.
    pub fn take_postgres_password(&mut self) -> Result<Option<SecretString>> {
        let Some(url) = &self.postgres_url else {
            return Ok(None);
        };
        let (url, password) = split_postgres_password(&self.name, url)?;
        self.postgres_url = Some(url);
        Ok(password)
    }
}

/// Moves the Postgres passwords that a `profiles.toml` written by an older version (or by hand)
/// holds in its URLs into the secret store, then rewrites the file without them. The secret is
/// stored before the file is rewritten, so a crash in between loses nothing (the next start
/// moves it again). When the store already holds a password for the profile, that one was the
/// one in use and is kept. Returns the names of the profiles changed. A file that cannot be read
/// or parsed is left for [`ProfileSet::load`] to report.
pub async fn move_url_passwords(path: &Path, secrets: &SecretStore) -> Result<Vec<String>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    let Ok(mut file) = toml::from_str::<ProfilesFile>(&text) else {
        return Ok(Vec::new());
    };
    let mut moved = Vec::new();
    for profile in &mut file.profiles {
        let Ok(Some(password)) = profile.take_postgres_password() else {
            continue;
        };
        if secrets
            .get(&profile.name, SecretKind::DbPassword)
            .await?
            .is_none()
        {
            secrets
                .set(&profile.name, SecretKind::DbPassword, &password)
                .await?;
        }
        moved.push(profile.name.clone());
    }
    if !moved.is_empty() {
        save_file(path, &file)?;
        tracing::warn!(profiles = ?moved, path = %path.display(),
            "moved Postgres passwords out of the profiles file into the secret store");
    }
    Ok(moved)
}

/// Writes the profiles file atomically, mode 0600 (a unique temporary file, then a rename).
fn save_file(path: &Path, file: &ProfilesFile) -> Result<()> {
    let text = toml::to_string_pretty(file).map_err(|e| Error::Config {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    crate::private_files::write_atomic(path, text.as_bytes())
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

    /// Saves atomically: a unique temporary file in the same directory (mode 0600), then a rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        let file = ProfilesFile {
            default: self.default.clone(),
            profiles: self.profiles.clone(),
        };
        save_file(path, &file)
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

    /// Adds or replaces a profile. A replacement that carries no `db_limits` (or no `plan`) keeps
    /// the stored ones: the app's profile form and `cachescope profile add` do not edit them, and
    /// saving a profile from either must not drop limits set in `profiles.toml`.
    pub fn upsert(&mut self, mut profile: Profile) -> Result<()> {
        profile.validate()?;
        match self.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(existing) => {
                profile.db_limits = profile.db_limits.or(existing.db_limits);
                profile.plan = profile.plan.or(existing.plan);
                *existing = profile;
            }
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
    fn http_base_urls_are_refused_unless_they_reach_this_machine() {
        let mut p = cloudflare("edge");
        for ok in [
            "https://api.cloudflare.com/client/v4",
            "http://127.0.0.1:8787/client/v4",
            "http://127.9.8.7/client/v4",
            "http://[::1]:8787/client/v4",
            "http://localhost:8787/client/v4",
            "http://LocalHost/client/v4",
        ] {
            p.base_url = Some(ok.into());
            p.validate().unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in [
            "http://api.example.com/client/v4",
            "http://10.0.0.5:8787/client/v4",
            "http://[2001:db8::1]/client/v4",
            "http://localhost.example.com/client/v4",
            "http://user:pw-4f2a@kv.example.com/client/v4",
        ] {
            p.base_url = Some(bad.into());
            let err = p.validate().unwrap_err().to_string();
            assert!(
                err.contains("profile \"edge\"")
                    && err.contains("in clear text")
                    && err.contains(
                        bad.split('@')
                            .next_back()
                            .unwrap()
                            .trim_start_matches("http://")
                    )
                    && !err.contains("pw-4f2a"),
                "{bad}: {err}"
            );
        }
        p.base_url = Some("ftp://127.0.0.1/x".into());
        assert!(p
            .validate()
            .unwrap_err()
            .to_string()
            .contains("use https://"));
    }

    #[test]
    fn a_password_in_a_postgres_url_is_taken_out_whichever_way_it_is_written() {
        use secrecy::ExposeSecret as _;
        let split = |url: &str| {
            let (url, password) = split_postgres_password("p", url).unwrap();
            (url, password.map(|p| p.expose_secret().to_owned()))
        };
        assert_eq!(
            split("postgres://app@db:5432/app?sslmode=require&password=s%26cret+x"),
            (
                "postgres://app@db:5432/app?sslmode=require".into(),
                Some("s&cret x".into())
            )
        );
        assert_eq!(
            split("postgres://app:p%40ss@db/app"),
            ("postgres://app@db/app".into(), Some("p@ss".into()))
        );
        assert_eq!(
            split("postgresql://app:same@db/app?password=same"),
            ("postgresql://app@db/app".into(), Some("same".into()))
        );
        // Unchanged, byte for byte, when there is no password.
        let plain = "postgres://app@db/app?options=-c%20search_path%3Dx";
        assert_eq!(split(plain), (plain.into(), None));
        let err = split_postgres_password("p", "postgres://app:one@db/app?password=two")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("two different passwords") && !err.contains("one@"),
            "{err}"
        );

        let mut p = cloudflare("x");
        p.postgres_url = Some("postgres://app@db/app?password=hunter2".into());
        let err = p.validate().unwrap_err().to_string();
        assert!(
            err.contains("must not contain a password") && !err.contains("hunter2"),
            "{err}"
        );
        assert_eq!(
            p.take_postgres_password().unwrap().unwrap().expose_secret(),
            "hunter2"
        );
        p.validate().unwrap();
        p.postgres_url = Some("postgres://app@db/app?sslpassword=k3y".into());
        let err = p.validate().unwrap_err().to_string();
        assert!(
            err.contains("\"sslpassword\" is not supported") && !err.contains("k3y"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_profiles_file_is_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config/profiles.toml");
        ProfileSet::default().save(&path).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&path), mode(path.parent().unwrap())), (0o600, 0o700));
    }

    #[test]
    fn db_limits_are_read_bounded_and_kept_when_a_profile_is_saved_without_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        let text = |limits: &str| {
            format!(
                "[[profile]]\nname = \"prod\"\nkind = \"local\"\n\
                 postgres_url = \"postgres://app@db.internal/app\"\n\n[profile.db_limits]\n{limits}\n"
            )
        };
        std::fs::write(&path, text("report_query_secs = 5\nlock_secs = 2")).unwrap();
        let mut set = ProfileSet::load(&path).unwrap();
        let prod = set.resolve(Some("prod")).unwrap();
        assert_eq!(prod.db_limits().report_query_secs, 5);
        assert_eq!(prod.db_limits().lock_secs, 2);
        assert_eq!(
            prod.db_limits().stats_query_secs,
            DbLimits::default().stats_query_secs
        );
        // Saved again by a form that knows nothing of the limits: they stay.
        set.upsert(Profile {
            db_limits: None,
            ..prod.clone()
        })
        .unwrap();
        set.save(&path).unwrap();
        assert_eq!(
            ProfileSet::load(&path)
                .unwrap()
                .resolve(Some("prod"))
                .unwrap(),
            prod
        );
        for (limits, field) in [
            ("stats_query_secs = 0", "db_limits.stats_query_secs"),
            ("lock_secs = 100000", "db_limits.lock_secs"),
            ("lock_sec = 1", "lock_sec"),
            ("report_query_secs = -1", "report_query_secs"),
        ] {
            std::fs::write(&path, text(limits)).unwrap();
            let err = ProfileSet::load(&path).unwrap_err().to_string();
            assert!(err.contains(field), "{limits}: {err}");
        }
    }

    #[test]
    fn a_plan_is_read_bounded_defaulted_and_kept_when_a_profile_is_saved_without_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.toml");
        let text = |plan: &str| {
            format!("[[profile]]\nname = \"paid\"\nkind = \"local\"\n\n[profile.plan]\n{plan}\n")
        };
        std::fs::write(&path, text("writes = 1000000\nlists = 1000000")).unwrap();
        let mut set = ProfileSet::load(&path).unwrap();
        let paid = set.resolve(Some("paid")).unwrap();
        assert_eq!(
            paid.plan(),
            PlanLimits {
                reads: 100_000,
                writes: 1_000_000,
                deletes: 1_000,
                lists: 1_000_000,
            }
        );
        assert_eq!(
            set.resolve(Some("local")).unwrap().plan(),
            crate::kv::plan::FREE_PLAN
        );
        // Saved again by a form that knows nothing of the plan: it stays.
        set.upsert(Profile {
            plan: None,
            ..paid.clone()
        })
        .unwrap();
        set.save(&path).unwrap();
        assert_eq!(
            ProfileSet::load(&path)
                .unwrap()
                .resolve(Some("paid"))
                .unwrap(),
            paid
        );
        for (plan, field) in [
            ("writes = 0", "plan.writes of profile \"paid\""),
            ("lists = 1000000000001", "plan.lists of profile \"paid\""),
            ("write = 5", "write"),
            ("reads = -1", "reads"),
        ] {
            std::fs::write(&path, text(plan)).unwrap();
            let err = ProfileSet::load(&path).unwrap_err().to_string();
            assert!(err.contains(field), "{plan}: {err}");
        }
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
