//! Exit codes that mean something (also listed in `--help` and the README).

use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// The command failed.
    Error = 1,
    /// Some inputs failed; the rest were processed and stored.
    Partial = 3,
    /// Verification found tampering or a missing record.
    VerifyFailed = 4,
}

impl From<Exit> for ExitCode {
    fn from(value: Exit) -> Self {
        ExitCode::from(value as u8)
    }
}
