//! The error every command returns across IPC: `{ code, message }`, where `code` is a string the
//! UI branches on. The full error chain goes to the log, never a secret or SQL text to the UI.

use cachescope_core::{Error, ErrorCode};
use serde::Serialize;

/// What the UI receives when a command fails.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct IpcError {
    code: ErrorCode,
    message: String,
}

impl From<Error> for IpcError {
    fn from(error: Error) -> Self {
        tracing::warn!(error = ?error, "command failed");
        let message = match &error {
            // Database errors can quote SQL; the UI gets a summary, the log has the chain.
            Error::Db(_) => "the Postgres database reported an error (see the log)".to_owned(),
            other => other.to_string(),
        };
        Self {
            code: error.code(),
            message,
        }
    }
}

/// The result type of every command.
pub type IpcResult<T> = Result<T, IpcError>;
