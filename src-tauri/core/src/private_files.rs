//! Files only their owner may read: what Cachescope writes that can hold personal data or secrets
//! (archives, exports, the local SQLite files, fallback secret files, the profiles file) is created
//! mode 0600, in folders created 0700, and never exists for a moment with the umask's wider mode.
//!
//! Folders that already exist are left as they are (a user's Downloads folder, a chosen archive
//! folder). On other systems than Unix the modes do not apply and files are created as usual.

use std::fs::File;
use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// The mode of every private file.
pub const FILE_MODE: u32 = 0o600;
/// The mode of every folder created for private files.
pub const DIR_MODE: u32 = 0o700;

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Creates `dir` and its missing parents, each created one with mode 0700.
pub fn create_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir).map_err(io_error(dir))
}

fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(dir) => create_dir(dir),
        None => Ok(()),
    }
}

/// Creates (or truncates) the file at `path` for writing, mode 0600; a file that already existed
/// with a wider mode is narrowed before anything is written to it. Missing folders are created
/// 0700.
pub fn create_file(path: &Path) -> Result<File> {
    create_parent(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let file = options.open(path).map_err(io_error(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = file
            .metadata()
            .map_err(io_error(path))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))
                .map_err(io_error(path))?;
        }
    }
    Ok(file)
}

/// A file being written beside `path` under a unique name (mode 0600), that takes `path`'s place
/// only on [`PendingFile::commit`]: a failed or abandoned write leaves no half-written file
/// behind, and two writers never share a temporary file.
pub struct PendingFile {
    temp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

impl PendingFile {
    /// Starts writing the file that will be `path`; missing folders are created 0700.
    pub fn new(path: &Path) -> Result<Self> {
        create_parent(path)?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // tempfile creates the file with O_EXCL and mode 0600 under a random name.
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(io_error(path))?;
        Ok(Self {
            temp,
            path: path.to_owned(),
        })
    }

    /// The open temporary file.
    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// Flushes the data to disk and renames the file into place.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        self.temp.as_file().sync_all().map_err(io_error(&path))?;
        self.temp
            .persist(&path)
            .map_err(|e| io_error(&path)(e.error))?;
        Ok(())
    }
}

/// Writes `bytes` to `path` atomically (a unique 0600 temporary file, then a rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut pending = PendingFile::new(path)?;
    pending.file().write_all(bytes).map_err(io_error(path))?;
    pending.commit()
}

/// Makes sure the file at `path` exists with mode 0600: an empty one is created when missing
/// (missing folders 0700); an existing one with a wider mode is narrowed, with a warning when that
/// is not allowed (a file of another user).
pub fn ensure_file(path: &Path) -> Result<()> {
    create_parent(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            narrow(path);
            Ok(())
        }
        Err(source) => Err(Error::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Narrows an existing file readable by others to 0600; logs when it cannot.
pub fn narrow(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode();
        if meta.is_file() && mode & 0o077 != 0 {
            if let Err(e) =
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(FILE_MODE))
            {
                tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777), error = %e,
                    "a private file is readable by other users and its mode could not be narrowed");
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_0600_in_0700_folders_created_for_them() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("a/b/export.csv");
        write_atomic(&path, b"x").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        // Only the file is left: no temporary file beside it.
        assert_eq!(
            std::fs::read_dir(root.path().join("a/b")).unwrap().count(),
            1
        );
    }

    #[test]
    fn an_existing_world_readable_file_is_narrowed_before_it_is_written() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("archive.gz");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut file = create_file(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        file.write_all(b"new").unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), b"new");

        let state = root.path().join("state.sqlite");
        std::fs::write(&state, b"").unwrap();
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o664)).unwrap();
        ensure_file(&state).unwrap();
        assert_eq!(mode(&state), 0o600);
    }

    #[test]
    fn an_abandoned_write_leaves_nothing() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("keys.jsonl");
        let mut pending = PendingFile::new(&path).unwrap();
        pending.file().write_all(b"half").unwrap();
        drop(pending);
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
    }
}
