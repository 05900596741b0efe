//! Output files: checked before a run starts, written whole or not at all,
//! and never renamed over a target that is not a regular file.
//!
//! The `cbec-sim` command writes every file through this module, so an
//! embedding program gets the same guarantees:
//!
//! - [`check_output`] says, before a long run, whether a path can take a
//!   file or a folder of files (a folder that exists, or whose nearest
//!   existing ancestor takes new files), and removes a stale temporary file
//!   a killed run left beside the target;
//! - [`write_output`] writes one file: a regular file (or a new one) is
//!   written to [`temporary_path`] (`.<name>.cbec-sim-partial` beside it),
//!   synced, then renamed over it; a target that exists and is not a
//!   regular file (a FIFO, `/dev/null`, a terminal) is written straight to,
//!   so it stays what it is; a block device or a socket is refused;
//! - [`write_outputs`] and [`write_into_folder`] write several files all
//!   or none: every temporary file is written first and they are renamed
//!   only once each one is;
//! - a failure names the file and removes every temporary file; a signal
//!   handler that ends the program calls [`remove_temporaries`] first.
//!
//! A run killed outright (SIGKILL) can still leave a temporary file; the
//! next [`check_output`] of the same target removes it, and its name says
//! what it is.
//!
//! # Examples
//! ```
//! # fn main() -> cbec_sim::Result<()> {
//! use cbec_sim::report::output::{OutputKind, check_output, write_output};
//! let dir = std::env::temp_dir().join(format!("cbec-sim-doc-output-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let file = dir.join("summary.json");
//! check_output(&file, OutputKind::File)?;
//! // ... a long run ...
//! write_output(&file, "{}\n")?;
//! assert_eq!(std::fs::read_to_string(&file).unwrap(), "{}\n");
//! assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file is left");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(()) }
//! ```

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary files being written, removed by [`remove_temporaries`].
static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// What an output path is to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputKind {
    /// One file (a shard, an HTML report).
    File,
    /// A folder of files, created if missing (CSV files, SVG charts).
    Folder,
}

/// Why an output path cannot be used or a file could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// [`check_output`] found that `path` cannot take the output: it is a
    /// folder where a file is wanted, its folder does not exist or takes
    /// no new files, it is a block device, and so on. Nothing was written.
    #[error("{}: {reason}", path.display())]
    Refused {
        /// The path as given.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Writing, syncing or renaming failed: no file of the set was
    /// renamed over its target and no temporary file is left (a FIFO or
    /// device written straight to may hold part of the text).
    #[error("{}: {source}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl OutputError {
    /// The path the error is about.
    #[must_use]
    pub fn path(&self) -> &Path {
        match self {
            OutputError::Refused { path, .. } | OutputError::Write { path, .. } => path,
        }
    }

    /// What went wrong, without the path.
    #[must_use]
    pub fn reason(&self) -> String {
        match self {
            OutputError::Refused { reason, .. } => reason.clone(),
            OutputError::Write { source, .. } => source.to_string(),
        }
    }
}

/// The temporary file a regular-file `target` is written to before it is
/// renamed over it: `.<name>.cbec-sim-partial` in the same folder.
///
/// # Examples
/// ```
/// use cbec_sim::report::output::temporary_path;
/// use std::path::Path;
/// assert_eq!(
///     temporary_path(Path::new("out/report.html")),
///     Path::new("out/.report.html.cbec-sim-partial")
/// );
/// ```
#[must_use]
pub fn temporary_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.cbec-sim-partial"))
}

/// `path`'s folder, `.` for an empty parent.
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

/// Checks, before anything runs, that `path` can take the output `kind`,
/// and removes a stale temporary file beside a file target.
///
/// # Errors
/// [`OutputError::Refused`] (as [`Error::Output`](crate::Error::Output))
/// with the reason: an empty path, a file where a folder is wanted or the
/// other way round, a missing folder for a file, a folder that takes no
/// new files, a target that is neither a regular file, a FIFO nor a
/// character device.
pub fn check_output(path: &Path, kind: OutputKind) -> crate::Result<()> {
    let refuse = |reason: String| {
        crate::Error::from(OutputError::Refused {
            path: path.to_path_buf(),
            reason,
        })
    };
    if path.as_os_str().is_empty() {
        return Err(refuse("the path is empty".into()));
    }
    match (fs::metadata(path), kind) {
        (Ok(m), OutputKind::Folder) if m.is_dir() => {
            probe(path).map_err(|e| refuse(format!("cannot write in this folder: {e}")))
        }
        (Ok(_), OutputKind::Folder) => Err(refuse("exists and is not a folder".into())),
        (Ok(m), OutputKind::File) if m.is_dir() => {
            Err(refuse("is a folder; give a file name".into()))
        }
        (Ok(m), OutputKind::File) if m.is_file() => {
            let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            remove_stale(&real);
            probe(parent(&real)).map_err(|e| refuse(format!("cannot write in its folder: {e}")))
        }
        (Ok(m), OutputKind::File) => {
            if streamable(m.file_type()) {
                Ok(())
            } else {
                Err(refuse(
                    "is neither a regular file, a FIFO nor a character device".into(),
                ))
            }
        }
        (Err(e), _) if e.kind() == std::io::ErrorKind::NotFound => {
            if kind == OutputKind::File && path.to_string_lossy().ends_with('/') {
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
            if kind == OutputKind::File && up != parent(path) {
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
    let tmp = temporary_path(target);
    if fs::symlink_metadata(&tmp).is_ok_and(|m| m.is_file()) {
        let _ = fs::remove_file(tmp);
    }
}

/// Removes every temporary file being written by this module, in any
/// thread: call it from a signal handler before it ends the program. It
/// never blocks (if a writer holds the list at that instant, it does
/// nothing).
pub fn remove_temporaries() {
    if let Ok(list) = TEMPORARY.try_lock() {
        for p in list.iter() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Adds `tmp` to the temporary files being written (`on`), or takes it off.
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
/// through its [`temporary_path`], synced and renamed over it.
///
/// # Errors
/// [`OutputError::Write`] (as [`Error::Output`](crate::Error::Output))
/// naming `target`; the temporary file is removed and `target` is left as
/// it was.
pub fn write_output(target: &Path, text: &str) -> crate::Result<()> {
    write_outputs(&[(target.to_path_buf(), text)])
}

/// Whether `target` exists and is neither a regular file nor a folder (a
/// FIFO, a device): written straight to.
fn special(target: &Path) -> bool {
    fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes every `(target, text)`, all or none of the regular files: each
/// is written to its temporary file first, and the temporary files are
/// renamed only once every one is written (targets that are FIFOs or
/// devices are written straight to, after the temporary files).
///
/// # Errors
/// [`OutputError::Write`] (as [`Error::Output`](crate::Error::Output))
/// naming the first file that failed; every temporary file is removed.
pub fn write_outputs(files: &[(PathBuf, &str)]) -> crate::Result<()> {
    let named = |p: &Path, source: std::io::Error| {
        crate::Error::from(OutputError::Write {
            path: p.to_path_buf(),
            source,
        })
    };
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut result = Ok(());
    for (target, text) in files {
        if special(target) {
            continue;
        }
        let real = fs::canonicalize(target).unwrap_or_else(|_| target.clone());
        let tmp = temporary_path(&real);
        register(&tmp, true);
        staged.push((tmp.clone(), real));
        if let Err(e) = write_new(&tmp, text) {
            result = Err(named(target, e));
            break;
        }
    }
    if result.is_ok() {
        for (target, text) in files {
            if special(target) {
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

/// Writes the files `(name, text)` into the folder `dir`, created (with
/// its parents) if missing, all or none as [`write_outputs`] does.
///
/// # Errors
/// [`OutputError::Write`] (as [`Error::Output`](crate::Error::Output))
/// naming the folder that could not be created or the first file that
/// could not be written.
pub fn write_into_folder<N: AsRef<str>>(dir: &Path, files: &[(N, String)]) -> crate::Result<()> {
    fs::create_dir_all(dir).map_err(|source| OutputError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let targets: Vec<(PathBuf, &str)> = files
        .iter()
        .map(|(name, text)| (dir.join(name.as_ref()), text.as_str()))
        .collect();
    write_outputs(&targets)
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

/// A file written as it goes (a trace of millions of rows), with the
/// guarantees of [`write_output`]: a regular-file target is written to its
/// [`temporary_path`] and renamed over the target only by
/// [`StreamedOutput::commit`]; dropped without a commit (a failure, a
/// panic), the temporary file is removed and the target is left as it was.
/// A FIFO or a device is written straight to.
///
/// # Examples
/// ```
/// # fn main() -> cbec_sim::Result<()> {
/// use cbec_sim::report::output::StreamedOutput;
/// use std::io::Write;
/// let dir = std::env::temp_dir().join(format!("cbec-sim-doc-streamed-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let file = dir.join("trace.csv");
/// let mut out = StreamedOutput::create(&file)?;
/// writeln!(out, "time_h,event").unwrap();
/// assert!(!file.exists(), "nothing is at the target before the commit");
/// out.commit()?;
/// assert_eq!(std::fs::read_to_string(&file).unwrap(), "time_h,event\n");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct StreamedOutput {
    target: PathBuf,
    /// The temporary file and the real target, for a regular file.
    staged: Option<(PathBuf, PathBuf)>,
    file: Option<std::io::BufWriter<File>>,
}

impl StreamedOutput {
    /// Opens the output for `target` (check it first with [`check_output`]).
    ///
    /// # Errors
    /// [`OutputError::Refused`] for a target that exists and is neither a
    /// regular file, a FIFO nor a character device (a block device, a
    /// socket, a folder); [`OutputError::Write`] naming `target` if its
    /// temporary file (or the FIFO or device itself) cannot be opened.
    pub fn create(target: &Path) -> crate::Result<Self> {
        let named = |source| OutputError::Write {
            path: target.to_path_buf(),
            source,
        };
        if special(target) {
            let kind = fs::metadata(target).map(|m| m.file_type());
            if !kind.is_ok_and(streamable) {
                return Err(OutputError::Refused {
                    path: target.to_path_buf(),
                    reason: "is neither a regular file, a FIFO nor a character device".into(),
                }
                .into());
            }
            let f = OpenOptions::new().write(true).open(target).map_err(named)?;
            return Ok(StreamedOutput {
                target: target.to_path_buf(),
                staged: None,
                file: Some(std::io::BufWriter::new(f)),
            });
        }
        let real = fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
        let tmp = temporary_path(&real);
        register(&tmp, true);
        let f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|e| {
                register(&tmp, false);
                named(e)
            })?;
        Ok(StreamedOutput {
            target: target.to_path_buf(),
            staged: Some((tmp, real)),
            file: Some(std::io::BufWriter::with_capacity(1 << 16, f)),
        })
    }

    /// Flushes, syncs and renames the temporary file over the target.
    ///
    /// # Errors
    /// [`OutputError::Write`] naming the target; the temporary file is
    /// removed and the target left as it was.
    pub fn commit(mut self) -> crate::Result<()> {
        let file = self.file.take().expect("open until committed");
        let done = file
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)
            .and_then(|f| {
                if self.staged.is_some() {
                    f.sync_all()
                } else {
                    Ok(())
                }
            })
            .and_then(|()| match &self.staged {
                Some((tmp, real)) => fs::rename(tmp, real),
                None => Ok(()),
            });
        if let Some((tmp, _)) = self.staged.take() {
            if done.is_err() {
                let _ = fs::remove_file(&tmp);
            }
            register(&tmp, false);
        }
        done.map_err(|source| {
            OutputError::Write {
                path: self.target.clone(),
                source,
            }
            .into()
        })
    }

    /// The target, as given.
    #[must_use]
    pub fn target(&self) -> &Path {
        &self.target
    }
}

impl Write for StreamedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("open until committed").write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("open until committed").flush()
    }
}

impl Drop for StreamedOutput {
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.staged.take() {
            self.file = None;
            let _ = fs::remove_file(&tmp);
            register(&tmp, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh, empty folder for one test.
    fn folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("cbec-sim-output-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn reason(e: crate::Error) -> String {
        match e {
            crate::Error::Output(o) => o.reason(),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_file_is_replaced_whole_and_leaves_no_temporary() {
        let dir = folder("replace");
        let f = dir.join("a.txt");
        fs::write(&f, "old").unwrap();
        check_output(&f, OutputKind::File).unwrap();
        write_output(&f, "new").unwrap();
        assert_eq!(fs::read_to_string(&f).unwrap(), "new");
        assert_eq!(names(&dir), ["a.txt"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_check_removes_a_stale_temporary_file() {
        let dir = folder("stale");
        let f = dir.join("r.html");
        fs::write(temporary_path(&f), "half").unwrap();
        check_output(&f, OutputKind::File).unwrap();
        assert!(names(&dir).is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn checks_refuse_what_cannot_take_the_output() {
        let dir = folder("refuse");
        let file = dir.join("file.txt");
        fs::write(&file, "x").unwrap();
        let cases = [
            (PathBuf::new(), OutputKind::File, "the path is empty"),
            (
                file.clone(),
                OutputKind::Folder,
                "exists and is not a folder",
            ),
            (
                dir.clone(),
                OutputKind::File,
                "is a folder; give a file name",
            ),
            (dir.join("missing/r.html"), OutputKind::File, "the folder"),
        ];
        for (path, kind, want) in cases {
            let err = check_output(&path, kind).unwrap_err();
            assert!(err.to_string().contains(want), "{path:?}: {err}");
            assert!(reason(err).contains(want));
        }
        check_output(&dir.join("new/deeper"), OutputKind::Folder).unwrap();
        assert_eq!(names(&dir), ["file.txt"], "a check writes nothing");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_set_is_written_all_or_none() {
        let dir = folder("set");
        let a = dir.join("a.csv");
        fs::write(&a, "old").unwrap();
        // The second target's folder is missing: nothing is renamed.
        let files = [(a.clone(), "new"), (dir.join("missing/b.csv"), "b")];
        let err = write_outputs(&files).unwrap_err();
        assert!(err.to_string().contains("b.csv"), "{err}");
        assert_eq!(fs::read_to_string(&a).unwrap(), "old");
        assert_eq!(names(&dir), ["a.csv"], "no temporary file is left");
        write_into_folder(&dir.join("out"), &[("x.csv", "1".to_string())]).unwrap();
        assert_eq!(fs::read_to_string(dir.join("out/x.csv")).unwrap(), "1");
        fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_character_device_is_written_straight_to_and_stays_one() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        check_output(null, OutputKind::File).unwrap();
        write_output(null, "text").unwrap();
        assert!(fs::metadata(null).unwrap().file_type().is_char_device());
    }

    #[test]
    fn errors_name_the_path_and_keep_their_source() {
        use std::error::Error as _;
        let e = crate::Error::from(OutputError::Write {
            path: "out/r.html".into(),
            source: std::io::Error::other("disk full"),
        });
        assert_eq!(e.to_string(), "out/r.html: disk full");
        assert!(e.source().is_some());
    }
}
