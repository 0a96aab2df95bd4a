//! Uploaded files (evidence, clue attachments): how the file store's failures (`App::files`) and
//! the upload limits' refusals (`AppConfig::file_policy`) become application errors. A use case that
//! takes a file checks role and scope, then `config.file_policy.check(…)` with [`policy_error`], then
//! `files.put(…)` / `files.get(…)` with [`file_error`] (see `clues::attach_to_clue`).

use crate::{AppError, ErrorCode};
use jingzhi_files::{FileError, PolicyError};

/// A policy refusal as an application error on `field`.
pub(crate) fn policy_error(field: &str, e: PolicyError) -> AppError {
    match e {
        PolicyError::TooLarge { .. } => AppError::with_message(ErrorCode::PayloadTooLarge, e.to_string()),
        _ => AppError::field(field, e.to_string()),
    }
}

/// A file-store failure as an application error: tampering and storage failures are internal errors
/// with their own Chinese message (and a log line); a missing file is "not found".
pub(crate) fn file_error(e: FileError) -> AppError {
    match e {
        FileError::Tampered { sha256, actual } => {
            tracing::error!(%sha256, %actual, "stored file does not match its hash");
            AppError::with_message(ErrorCode::Internal, "文件内容与其哈希不符，可能已被篡改")
        }
        FileError::NotFound { .. } => AppError::with_message(ErrorCode::NotFound, "文件不存在"),
        FileError::InvalidHash(_) => AppError::new(ErrorCode::NotFound),
        FileError::Storage(detail) => {
            tracing::error!(%detail, "file store failed");
            AppError::with_message(ErrorCode::Internal, "文件存储暂时不可用，请稍后再试")
        }
    }
}
