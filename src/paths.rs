//! Where Callback Desk keeps its files. The app and the command-line companion share one data directory:
//! the platform's convention (`$XDG_DATA_HOME/io.callbackdesk.desktop` on Linux, `~/Library/Application
//! Support/io.callbackdesk.desktop` on macOS, `%APPDATA%\io.callbackdesk.desktop` on Windows), or the
//! directory named by the environment variable `CALLBACK_DESK_DATA_DIR`.

use crate::error::{Error, ErrorCode};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The app identifier (also in `tauri.conf.json`); names the data directory and the keyring service.
pub const APP_IDENTIFIER: &str = "io.callbackdesk.desktop";
/// Environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "CALLBACK_DESK_DATA_DIR";

/// The data directory (not created here).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(|| std::env::temp_dir().join("callback-desk-home")).join(APP_IDENTIFIER)
}

/// Rolling log files.
pub fn log_dir() -> PathBuf {
    data_dir().join("logs")
}

/// UI preferences (language, theme) kept by tauri-plugin-store.
pub fn settings_file() -> PathBuf {
    data_dir().join("settings.json")
}

/// Creates `dir` (and any missing parent) and, on Unix, makes it private to the user (0700), also when
/// it existed with a looser mode. Used for the data folder and the log folder.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// On Unix, makes an existing file readable and writable by the user only (0600). A missing file is not
/// an error.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Opens a file the user asked the app or the CLI to write (CSV exports, results files): created, or
/// truncated when it exists, readable and writable by the user only (0600 on Unix from the moment it is
/// created; an existing file is made 0600 too, whatever its mode was).
///
/// Never through a symbolic link and never into anything but a regular file: a link as the last path
/// component (even one pointing at a missing file), a folder, a FIFO, a device or a socket is refused
/// with `file.not_regular` naming the path, and what it points to is left untouched. On Unix the open
/// itself refuses a link (`O_NOFOLLOW`) and does not wait on a FIFO (`O_NONBLOCK`), and what was opened
/// is checked again, so a swap between the look and the open is caught too; elsewhere the path is
/// looked at (`symlink_metadata`) before the open and the opened file checked after. Other failures are
/// `storage.failed` with the path and the cause in the detail.
pub fn create_private_file(path: &Path) -> Result<File, Error> {
    let refused = || Error::new(ErrorCode::FileNotRegular).with("path", path.display().to_string());
    let failed = |e: io::Error| Error::new(ErrorCode::StorageFailed).detail(format!("{}: {e}", path.display()));
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_file() => return Err(refused()),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(e)),
    }
    let mut options = private_options();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        // ELOOP: the last component became a link; ENXIO: a FIFO without a reader.
        #[cfg(unix)]
        {
            if matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::ENXIO)) {
                return refused();
            }
        }
        failed(e)
    })?;
    if !file.metadata().map_err(failed)?.is_file() {
        return Err(refused());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // On the open file (not the path), so it is the file just opened that becomes private.
        file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(failed)?;
    }
    Ok(file)
}

/// Creates `path` empty with mode 0600 if it does not exist, or restricts it to 0600 if it does (its
/// content is kept). For files another library opens afterwards (SQLite, the log appender), so they
/// are private from their first byte.
pub fn ensure_private_file(path: &Path) -> io::Result<()> {
    private_options().append(true).create(true).open(path)?;
    restrict_file(path)
}

fn private_options() -> std::fs::OpenOptions {
    #[allow(unused_mut)]
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_override_wins() {
        // Only this test touches the variable, so it cannot race with others.
        let dir = std::env::temp_dir().join("cbd-paths-test");
        std::env::set_var(DATA_DIR_ENV, &dir);
        assert_eq!(data_dir(), dir);
        assert_eq!(log_dir(), dir.join("logs"));
        std::env::remove_var(DATA_DIR_ENV);
        assert!(data_dir().ends_with(APP_IDENTIFIER));
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn user_files_are_created_private_and_existing_ones_made_private() {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.csv");
        create_private_file(&new).unwrap().write_all(b"a").unwrap();
        assert_eq!(mode(&new), 0o600);
        let old = dir.path().join("old.csv");
        std::fs::write(&old, "previous content").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_private_file(&old).unwrap().write_all(b"b").unwrap();
        assert_eq!((mode(&old), std::fs::read_to_string(&old).unwrap().as_str()), (0o600, "b"));
    }

    /// A link as the file name (to a file, or dangling), a folder, a FIFO or a device is refused with
    /// `file.not_regular` naming the path; what a link points to is left as it was.
    #[cfg(unix)]
    #[test]
    fn user_files_are_never_written_through_a_link_or_into_a_special_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious.txt");
        std::fs::write(&target, "keep me").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("export.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let dangling = dir.path().join("dangling.csv");
        let missing = dir.path().join("would-be-created.txt");
        std::os::unix::fs::symlink(&missing, &dangling).unwrap();
        let fifo = dir.path().join("fifo.csv");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        for path in [&link, &dangling, &fifo, &dir.path().to_path_buf(), &Path::new("/dev/null").to_path_buf()] {
            let e = create_private_file(path).unwrap_err();
            assert_eq!(e.code, ErrorCode::FileNotRegular, "{}: {e}", path.display());
            assert_eq!(e.params["path"], path.display().to_string());
        }
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        assert_eq!(mode(&target), 0o644);
        assert!(!missing.exists(), "a dangling link's target is not created");
    }
}
