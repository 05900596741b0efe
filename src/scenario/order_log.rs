//! Reading order logs from files: the one place where a scenario's
//! `replay_csv` touches the file system (the model reads no file).
//!
//! Only regular files of at most 1 GiB are read (see `files.rs`): a FIFO,
//! a device or a folder named as a log is refused before anything is
//! opened for reading, so a scenario can neither hang on a pipe nor read
//! an endless device.

use super::files::{MAX_LOG_BYTES, open_regular, reason};
use crate::error::{Error, Result};
use crate::model::OrderLog;
use std::path::Path;

impl OrderLog {
    /// Reads and parses the CSV order log at `path` (see
    /// [`OrderLog::from_reader`] for the format).
    ///
    /// # Errors
    /// [`Error::Scenario`] at field `replay_csv` naming the file: it cannot
    /// be opened, is not a regular file, is larger than 1 GiB, or breaks a rule of the format.
    ///
    /// # Examples
    /// ```
    /// # fn main() -> cbec_sim::Result<()> {
    /// use cbec_sim::OrderLog;
    /// let err = OrderLog::from_path("/dev/null").unwrap_err();
    /// assert_eq!(err.to_string(), "replay_csv: /dev/null: is not a regular file");
    /// # Ok(()) }
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<OrderLog> {
        let path = path.as_ref();
        let fail =
            |reason: String| Error::scenario("replay_csv", format!("{}: {reason}", path.display()));
        let file = open_regular(path, MAX_LOG_BYTES).map_err(|e| fail(reason(&e)))?;
        OrderLog::from_reader(std::io::BufReader::new(file), &path.display().to_string())
    }
}
