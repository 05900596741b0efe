//! Output files: checked before a run starts, written whole or not at all,
//! and never renamed over a target that is not a regular file.
//!
//! A regular file (or a new one) is written to `.<name>.cbec-sim-partial`
//! beside it, then renamed over it; a failure removes the temporary file,
//! and a run that was killed before it could (SIGKILL) leaves one that
//! the next run writing the same target removes. A target that exists and
//! is not a regular file (a FIFO, `/dev/null`, a terminal) is written
//! straight to, so it stays what it is; a block device or a socket is
//! refused. Several files of one folder (`--csv`, `--plot`) are all
//! written to temporary files first and renamed only if every one was
//! written.

use crate::common::{Failure, failed};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary files being written, removed by the signal handler
/// before it ends the program.
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// What an output option wants at its path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Want {
    /// A file (`--out`, `--report`).
    File,
    /// A folder, created if missing (`--csv`, `--plot`).
    Folder,
}

/// The temporary file beside `target` (`.<name>.cbec-sim-partial`).
fn temporary(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.cbec-sim-partial"))
}

/// `path` with `.` for an empty parent.
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Whether the program can create files in the folder `dir`: creates and
/// removes a probe file (permission bits alone say nothing for root or on
/// a read-only file system).
fn probe(dir: &Path) -> std::io::Result<()> {
    let p = dir.join(format!(".cbec-sim-probe-{}", std::process::id()));
    File::create_new(&p)?;
    fs::remove_file(&p)
}

/// Checks, before anything runs, that `path` (given as `flag`) can be
/// written as `want`, and removes a stale temporary file of a file target.
pub(crate) fn check_target(flag: &str, path: &Path, want: Want) -> Result<(), Failure> {
    let refuse = |why: String| failed(format!("{flag} {}: {why}", path.display()));
    if path.as_os_str().is_empty() {
        return Err(failed(format!("{flag}: the path is empty")));
    }
    match (fs::metadata(path), want) {
        (Ok(m), Want::Folder) if m.is_dir() => {
            probe(path).map_err(|e| refuse(format!("cannot write in this folder: {e}")))
        }
        (Ok(_), Want::Folder) => Err(refuse("exists and is not a folder".into())),
        (Ok(m), Want::File) if m.is_dir() => Err(refuse("is a folder; give a file name".into())),
        (Ok(m), Want::File) if m.is_file() => {
            let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            remove_stale(&real);
            probe(parent(&real)).map_err(|e| refuse(format!("cannot write in its folder: {e}")))
        }
        (Ok(m), Want::File) => {
            if streamable(m.file_type()) {
                Ok(())
            } else {
                Err(refuse(
                    "is neither a regular file, a FIFO nor a character device".into(),
                ))
            }
        }
        (Err(e), _) if e.kind() == std::io::ErrorKind::NotFound => {
            if want == Want::File && path.to_string_lossy().ends_with('/') {
                return Err(refuse("names a folder; give a file name".into()));
            }
            // The nearest folder that exists must take new files.
            let mut up = parent(path);
            while fs::symlink_metadata(up).is_err() {
                up = parent(up);
            }
            if !up.is_dir() {
                return Err(refuse(format!("{} is not a folder", up.display())));
            }
            if want == Want::File && up != parent(path) {
                return Err(refuse(format!(
                    "the folder {} does not exist",
                    parent(path).display()
                )));
            }
            remove_stale(path);
            probe(up).map_err(|e| refuse(format!("cannot write in {}: {e}", up.display())))
        }
        (Err(e), _) => Err(refuse(e.to_string())),
    }
}

/// Whether a target of type `t` is written straight to: a FIFO or a
/// character device.
#[cfg(unix)]
fn streamable(t: fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    t.is_fifo() || t.is_char_device()
}

/// Whether a target of type `t` is written straight to: never, off Unix.
#[cfg(not(unix))]
fn streamable(_: fs::FileType) -> bool {
    false
}

/// Removes the temporary file a killed run left beside `target`.
fn remove_stale(target: &Path) {
    let tmp = temporary(target);
    if fs::symlink_metadata(&tmp).is_ok_and(|m| m.is_file()) {
        let _ = fs::remove_file(tmp);
    }
}

/// Removes every temporary file being written (from the signal handler).
pub(crate) fn remove_temporaries() {
    if let Ok(list) = TEMPORARY.try_lock() {
        for p in list.iter() {
            let _ = fs::remove_file(p);
        }
    }
}

fn register(tmp: &Path, on: bool) {
    let mut list = TEMPORARY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if on {
        list.push(tmp.to_path_buf());
    } else {
        list.retain(|p| p != tmp);
    }
}

/// Writes `text` to `target`: straight to a FIFO or a device, else
/// through a temporary file renamed over it.
pub(crate) fn write_file(target: &Path, text: &str) -> Result<(), Failure> {
    write_all(&[(target.to_path_buf(), text)])
}

/// Writes every `(target, text)`, all or none of the regular files: each
/// is written to its temporary file first, and the temporary files are
/// renamed only once every one is written; a failure names the file and
/// removes every temporary file.
pub(crate) fn write_all(files: &[(PathBuf, &str)]) -> Result<(), Failure> {
    let named = |p: &Path, e: std::io::Error| failed(format!("{}: {e}", p.display()));
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut result = Ok(());
    for (target, text) in files {
        let special = fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if special {
            continue;
        }
        let real = fs::canonicalize(target).unwrap_or_else(|_| target.clone());
        let tmp = temporary(&real);
        register(&tmp, true);
        staged.push((tmp.clone(), real));
        if let Err(e) = write_new(&tmp, text) {
            result = Err(named(target, e));
            break;
        }
    }
    if result.is_ok() {
        for (target, text) in files {
            if fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
                let direct = OpenOptions::new()
                    .write(true)
                    .open(target)
                    .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.flush()));
                if let Err(e) = direct {
                    result = Err(named(target, e));
                    break;
                }
            }
        }
    }
    for (tmp, real) in &staged {
        if result.is_ok()
            && let Err(e) = fs::rename(tmp, real)
        {
            result = Err(named(real, e));
        }
        if result.is_err() {
            let _ = fs::remove_file(tmp);
        }
        register(tmp, false);
    }
    result
}

/// Writes `text` to the new file `tmp` (replacing a stale one) and syncs it.
fn write_new(tmp: &Path, text: &str) -> std::io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// Creates a folder (and its parents), with a failure that names it.
pub(crate) fn make_dir(dir: &Path) -> Result<(), Failure> {
    fs::create_dir_all(dir).map_err(|e| failed(format!("{}: {e}", dir.display())))
}
