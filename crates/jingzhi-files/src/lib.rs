//! Evidence files (证据文件): photos, video, audio and documents, stored by the SHA-256 of their
//! content and verified against it on every read.
//!
//! - [`FileStore`] is the one interface: `put` (idempotent: the same bytes give the same name),
//!   `get` (refuses content whose hash no longer matches: [`FileError::Tampered`]) and `exists`.
//!   There is no delete: evidence is never deleted.
//! - [`LocalFiles`]: a directory (default `data/files`), sharded `ab/cd/abcdef…`, written through a
//!   temporary file, fsync, rename and a directory fsync, so a killed process leaves no half file and
//!   an acknowledged `put` survives a crash.
//! - [`S3Files`]: an S3-compatible bucket, requests signed with AWS Signature V4 ([`sigv4`]).
//! - [`FilePolicy`]: size limit and allowed content types per [`FileKind`], with the type sniffed
//!   from the file's first bytes so that a renamed file is refused.
//!
//! This crate does I/O (files, HTTP client) but knows no SQL, no HTTP server and no domain rules.
#![forbid(unsafe_code)]

pub mod local;
pub mod policy;
pub mod s3;
pub mod sigv4;

pub use local::LocalFiles;
pub use policy::{Accepted, FileKind, FilePolicy, PolicyError, sniff};
pub use s3::{S3Config, S3Files};

use sha2::{Digest, Sha256};

/// What `put` stored: the content's SHA-256 (64 lowercase hex digits, the file's name) and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
}

/// A failure of the file store. Messages are Chinese (shown to users and operators).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// No file with this hash.
    #[error("文件不存在（{sha256}）")]
    NotFound { sha256: String },
    /// The stored content no longer hashes to its name: it was altered or damaged after storage.
    #[error("文件校验失败：{sha256} 的内容已被篡改或损坏（实际摘要 {actual}）")]
    Tampered { sha256: String, actual: String },
    /// The name asked for is not a SHA-256 in lowercase hex.
    #[error("文件标识无效：{0}")]
    InvalidHash(String),
    /// The disk or the object store failed (I/O error, network, refused request).
    #[error("文件存储出错：{0}")]
    Storage(String),
}

pub type Result<T, E = FileError> = std::result::Result<T, E>;

/// Where evidence files are kept. Implementations are shared between threads (`Arc<dyn FileStore>`).
pub trait FileStore: Send + Sync {
    /// Stores `bytes` under their SHA-256. Storing the same bytes again is a no-op that returns the
    /// same [`StoredFile`]. When this returns `Ok`, the file is durable.
    fn put(&self, bytes: &[u8]) -> Result<StoredFile>;

    /// The content stored under `sha256`, after checking that it still hashes to `sha256`
    /// ([`FileError::Tampered`] otherwise).
    fn get(&self, sha256: &str) -> Result<Vec<u8>>;

    /// Whether a file is stored under `sha256` (its content is not read).
    fn exists(&self, sha256: &str) -> Result<bool>;

    /// A human-readable location for logs and `config show` (never a secret).
    fn location(&self) -> String;
}

/// The SHA-256 of `bytes` in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks that `s` is a SHA-256 in lowercase hex (64 characters of `0-9a-f`). Every store checks
/// names with this before building a path or a URL from them.
pub fn check_sha256(s: &str) -> Result<()> {
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        let shown: String = s.chars().take(80).collect();
        Err(FileError::InvalidHash(shown))
    }
}

/// The sharded relative name of a file: `ab/cd/abcdef…` (used on disk and as the object key).
pub fn shard_path(sha256: &str) -> String {
    format!("{}/{}/{}", &sha256[0..2], &sha256[2..4], sha256)
}

/// Verifies that `bytes` hash to `sha256`.
pub(crate) fn verify(sha256: &str, bytes: &[u8]) -> Result<()> {
    let actual = sha256_hex(bytes);
    if actual == sha256 {
        Ok(())
    } else {
        Err(FileError::Tampered {
            sha256: sha256.to_string(),
            actual,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_use() {
        let good = sha256_hex(b"abc");
        assert_eq!(good, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(check_sha256(&good).is_ok());
        assert!(check_sha256(&good.to_uppercase()).is_err());
        assert!(check_sha256("../../etc/passwd").is_err());
        assert!(check_sha256(&good[1..]).is_err());
        assert!(check_sha256(&format!("{}/", &good[1..])).is_err());
        assert_eq!(shard_path(&good), format!("ba/78/{good}"));
    }
}
