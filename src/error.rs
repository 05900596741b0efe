//! The crate's error type.

use std::fmt;

/// A `Result` whose error defaults to [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `cbec-sim`.
///
/// Every error is raised *before* a run starts (when a scenario, model or
/// distribution is built) or while reading or writing files: the event loop
/// itself never fails, so no computed result is lost to an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario or model description breaks a rule.
    ///
    /// Raised by [`ModelBuilder::build`](crate::ModelBuilder::build) and by
    /// [`Scenario::build`](crate::Scenario::build). `field` is the path of the
    /// offending field (`stations.review.servers`). Fatal for that model: fix
    /// the input and build again.
    #[error("{field}: {reason}")]
    Scenario {
        /// Path of the offending field, dot-separated.
        field: String,
        /// The rule that was broken and the value that broke it.
        reason: String,
    },
    /// A distribution was given invalid parameters.
    ///
    /// Raised by the [`Dist`](crate::Dist) constructors and when a
    /// distribution is read from a file. Fatal for that distribution.
    #[error(transparent)]
    Distribution(#[from] DistError),
    /// Reading or writing a file failed. The run's results, if any, are still
    /// held by the caller.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A CSV file could not be read or written.
    #[error("csv error: {0}")]
    Csv(#[from] csv::Error),
    /// A TOML scenario could not be parsed; the message carries the line,
    /// the column and the offending key.
    #[error("{0}")]
    Parse(#[from] toml::de::Error),

    /// A chart could not be drawn.
    #[error("chart \"{chart}\": {reason}")]
    Chart {
        /// The chart's title.
        chart: String,
        /// What went wrong.
        reason: String,
    },
}

impl Error {
    /// Builds an [`Error::Scenario`] for the field at `field`.
    pub(crate) fn scenario(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Scenario {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A distribution parameter that breaks its rule.
///
/// The message names the parameter, the rule and the value, for example
/// `exponential.mean: must be finite and greater than 0, got -1`.
#[derive(Debug, Clone, PartialEq)]
pub struct DistError {
    /// Distribution and parameter, such as `lognormal.cv`.
    pub param: &'static str,
    /// The rule the value breaks.
    pub rule: &'static str,
    /// The offending value, as written.
    pub value: String,
}

impl DistError {
    pub(crate) fn new(param: &'static str, rule: &'static str, value: impl fmt::Display) -> Self {
        DistError {
            param,
            rule,
            value: value.to_string(),
        }
    }
}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}, got {}", self.param, self.rule, self.value)
    }
}

impl std::error::Error for DistError {}
