//! Where Cachescope keeps its files: the config directory (profiles, fallback secret files) and
//! the data directory (local namespace, local state). Debug builds use their own directories so a
//! development build never touches a user's real profiles. `CACHESCOPE_CONFIG_DIR` and
//! `CACHESCOPE_DATA_DIR` override both (tests, portable installs). The archive directory is a
//! setting of this machine (`CACHESCOPE_ARCHIVE_DIR`, default `archives/` in the data directory),
//! never of the shared database.
//! Whatever creates one of these folders or a file in them goes through
//! [`crate::private_files`] (folders 0700, files 0600).

use std::path::PathBuf;

use crate::error::{Error, Result};

/// The directories of one Cachescope installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDirs {
    pub config: PathBuf,
    pub data: PathBuf,
    /// Where archive jobs write their files, and the only place whose files they delete.
    pub archives: PathBuf,
}

impl AppDirs {
    /// The OS's directories for Cachescope, unless overridden by the environment.
    pub fn from_env() -> Result<Self> {
        let app = if cfg!(debug_assertions) {
            "cachescope-dev"
        } else {
            "cachescope"
        };
        let project = directories::ProjectDirs::from("dev", "cachescope", app);
        let pick = |var: &str, default: Option<PathBuf>| -> Result<PathBuf> {
            match std::env::var_os(var) {
                Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
                _ => default.ok_or_else(|| Error::Config {
                    path: PathBuf::from("$HOME"),
                    reason: format!("no home directory; set {var}"),
                }),
            }
        };
        let data = pick(
            "CACHESCOPE_DATA_DIR",
            project.as_ref().map(|p| p.data_dir().to_owned()),
        )?;
        Ok(Self {
            config: pick(
                "CACHESCOPE_CONFIG_DIR",
                project.as_ref().map(|p| p.config_dir().to_owned()),
            )?,
            archives: pick("CACHESCOPE_ARCHIVE_DIR", Some(data.join("archives")))?,
            data,
        })
    }

    /// Both directories under one root (tests and the demo).
    pub fn under(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Self {
            config: root.join("config"),
            archives: root.join("data").join("archives"),
            data: root.join("data"),
        }
    }

    /// The profiles file.
    pub fn profiles_file(&self) -> PathBuf {
        self.config.join("profiles.toml")
    }

    /// Fallback secret files, one per secret, mode 0600.
    pub fn secrets_dir(&self) -> PathBuf {
        self.config.join("secrets")
    }

    /// The default local namespace file (demo data, offline mirror).
    pub fn local_namespace_file(&self) -> PathBuf {
        self.data.join("local-namespace.sqlite")
    }

    /// The local state database (audit log).
    pub fn state_file(&self) -> PathBuf {
        self.data.join("state.sqlite")
    }
}
