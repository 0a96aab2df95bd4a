//! Evidence files: stored by the file store under their SHA-256 (`App::files`, local disk or
//! S3-compatible), checked against the upload policy (size, types, magic bytes) first; read back
//! with the hash verified by the store, and every view or download audited.

use crate::App;
use crate::actor::Actor;
use crate::audit::{NONE, record};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::files::{file_error, policy_error};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_store::repo::cases::{self as repo, EvidenceRow};

/// A stored evidence file, to be referenced by `NewEvidence`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvidenceFile {
    pub sha256: String,
    pub size: i64,
    /// The type read from the bytes (not the one the client claimed).
    pub content_type: String,
}

impl App {
    /// Checks an evidence upload against the policy (the kind follows from the bytes; any
    /// evidence type may be a photo, a recording or a scanned document) and stores it. The caller
    /// then records the evidence with the returned hash (`add_evidence`), which checks scope and
    /// officers.
    pub fn store_evidence_file(&self, a: &Actor, declared_type: &str, bytes: &[u8]) -> AppResult<StoredEvidenceFile> {
        a.require(Resource::Evidence, Action::Create)?;
        let accepted = self
            .config
            .file_policy
            .check(None, Some(declared_type), bytes)
            .map_err(|e| policy_error("file", e))?;
        let stored = self.files.put(bytes).map_err(file_error)?;
        Ok(StoredEvidenceFile {
            sha256: stored.sha256,
            size: bytes.len() as i64,
            content_type: accepted.content_type.to_string(),
        })
    }

    /// An evidence file's bytes: permission and scope checked, the hash verified by the file
    /// store, and the view recorded in the audit trail (执法全过程记录).
    pub fn evidence_file(&self, a: &Actor, evidence_id: i64) -> AppResult<(EvidenceRow, Vec<u8>)> {
        self.evidence_file_of(a, None, evidence_id)
    }

    /// [`App::evidence_file`] for a URL that names the case too: evidence of another case is not
    /// found (and nothing is read or audited).
    pub fn evidence_file_of(
        &self,
        a: &Actor,
        case_id: Option<i64>,
        evidence_id: i64,
    ) -> AppResult<(EvidenceRow, Vec<u8>)> {
        a.require(Resource::Evidence, Action::View)?;
        let now = self.now();
        let row = self.store.read(|c| {
            let e = repo::get_evidence(c, evidence_id)?;
            if case_id.is_some_and(|id| id != e.case_id) {
                return Err(AppError::new(ErrorCode::NotFound));
            }
            crate::cases::require_sees(a, &repo::get(c, e.case_id)?)?;
            Ok::<_, AppError>(e)
        })?;
        let Some(sha) = row.sha256.clone() else {
            return Err(AppError::with_message(ErrorCode::NotFound, "该证据没有文件"));
        };
        let bytes = self.files.get(&sha).map_err(file_error)?;
        self.store.write(|c| {
            record(
                c,
                a,
                now,
                "case.view_evidence_file",
                "case",
                row.case_id,
                NONE,
                Some(&serde_json::json!({"evidence_id": row.id, "sha256": sha, "size": bytes.len()})),
            )
        })?;
        Ok((row, bytes))
    }
}
