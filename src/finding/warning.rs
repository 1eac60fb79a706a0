//! Something a scan stepped over and the user should know about: a malformed advisory, a file too
//! large to read. Problems a scan cannot step over are errors instead.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// Stable, machine-readable kind, e.g. `malformed-advisory`.
    pub code: &'static str,
    /// The file it is about, when there is one.
    pub file: Option<String>,
    pub message: String,
    /// Raised by the walk over source files rather than by one check: SARIF shows it in the run
    /// of the first check that reads source files.
    #[serde(skip)]
    pub source_walk: bool,
}

impl Warning {
    pub fn new(code: &'static str, file: Option<String>, message: impl Into<String>) -> Warning {
        Warning {
            code,
            file,
            message: message.into(),
            source_walk: false,
        }
    }

    /// A warning of the walk over source files.
    pub fn source_walk(
        code: &'static str,
        file: Option<String>,
        message: impl Into<String>,
    ) -> Warning {
        Warning {
            source_walk: true,
            ..Warning::new(code, file, message)
        }
    }
}
