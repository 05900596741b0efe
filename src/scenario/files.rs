//! Opening the files a scenario reads (the scenario itself, replayed
//! order logs): only regular files, and only up to a size, checked before
//! anything is read. A FIFO, a device or a folder is refused, so reading
//! can neither hang on a pipe nor run through an endless device, and a
//! file too large for memory is refused by its size, naming the bound.

use std::fs::File;
use std::io::{Error, ErrorKind};
use std::path::Path;

/// Largest scenario file read: 64 MiB (the shipped Hongqiao scenarios
/// are under 20 KB).
pub(crate) const MAX_SCENARIO_BYTES: u64 = 64 << 20;

/// Largest order log read: 1 GiB (the bound of the CSV reader itself).
pub(crate) use crate::model::MAX_LOG_BYTES;

/// Opens `path` for reading if it is a regular file of at most
/// `max_bytes` bytes. A file that is not regular or too large is an
/// error of kind [`ErrorKind::InvalidInput`] whose text is the rule.
pub(crate) fn open_regular(path: &Path, max_bytes: u64) -> std::io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "is not a regular file"));
    }
    if meta.len() > max_bytes {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "is {} bytes, more than the {} MiB a file read here may have",
                meta.len(),
                max_bytes >> 20
            ),
        ));
    }
    File::open(path)
}

/// The reason `open_regular` gave, for a message: the rule for a file it
/// refused, `cannot be read: ...` for an io error.
pub(crate) fn reason(e: &Error) -> String {
    if e.kind() == ErrorKind::InvalidInput {
        e.to_string()
    } else {
        format!("cannot be read: {e}")
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, OrderLog, Scenario};

    #[test]
    fn only_regular_files_are_read() {
        for path in ["/dev/zero", "/dev/null", "/"] {
            let err = Scenario::from_path(path).unwrap_err();
            assert!(matches!(err, Error::Io { .. }), "{err}");
            assert_eq!(
                err.to_string(),
                format!("{path}: cannot be read: is not a regular file")
            );
            let err = OrderLog::from_path(path).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("replay_csv: {path}: is not a regular file")
            );
        }
    }

    #[test]
    fn a_file_over_the_bound_is_refused_by_its_size() {
        let dir = std::env::temp_dir().join(format!("cbec-sim-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.toml");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(super::MAX_SCENARIO_BYTES + 1).unwrap();
        let err = Scenario::from_path(&path).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "cannot be read: is 67108865 bytes, more than the 64 MiB a file read here may have"
            ),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
