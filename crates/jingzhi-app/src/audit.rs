//! The audit trail: recording (inside every state-changing transaction), listing and verifying.

use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use jiff::Timestamp;
use jingzhi_domain::audit::{AuditRecord, BrokenLink, ChainVerifier};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::time::format_ts;
use jingzhi_store::Conn;
use jingzhi_store::repo::audit as repo;
use serde::Serialize;

pub use jingzhi_store::repo::audit::AuditFilter;

/// Writes one audit record in the caller's transaction: who (actor), when (now), what (action on
/// entity/id) and the state before and after, serialised as JSON.
#[allow(clippy::too_many_arguments)] // one flat call at every state change reads better than a builder
pub fn record<B: Serialize, A: Serialize>(
    c: &mut dyn Conn,
    actor: &Actor,
    now: Timestamp,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<AuditRecord> {
    let at = format_ts(now);
    Ok(repo::append(
        c,
        repo::NewAudit {
            at: &at,
            actor_user_id: actor.user_id,
            actor_name: &actor.name,
            actor_org_id: Some(actor.org.id).filter(|id| *id > 0),
            action,
            entity,
            entity_id: &entity_id.to_string(),
            before: before.map(to_json),
            after: after.map(to_json),
        },
    )?)
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"serialize_error\":\"{e}\"}}"))
}

/// Nothing, for `before`/`after` of creations and deletions.
pub const NONE: Option<&()> = None;

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub checked: u64,
    pub head_seq: i64,
    /// The first broken link, if any.
    pub broken: Option<(i64, String)>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }
}

impl App {
    /// Lists audit records, newest first.
    pub fn list_audit(&self, actor: &Actor, filter: &AuditFilter, limit: i64) -> AppResult<Vec<AuditRecord>> {
        actor.require(Resource::AuditLog, Action::View)?;
        Ok(self.store.read(|c| repo::list(c, filter, limit.clamp(1, 10_000)))?)
    }

    /// Walks the whole chain and reports the first broken link (`jingzhi audit verify`).
    pub fn verify_audit(&self, actor: &Actor, progress: &mut dyn FnMut(u64)) -> AppResult<VerifyReport> {
        actor.require(Resource::AuditLog, Action::Verify)?;
        let mut v = ChainVerifier::default();
        let mut after = 0;
        let (head_seq, head_hash) = self.store.read(repo::head)?;
        loop {
            let batch = self.store.read(|c| repo::batch_after(c, after, 2000))?;
            if batch.is_empty() {
                break;
            }
            for r in &batch {
                if let Err(BrokenLink { seq, reason }) = v.feed(r) {
                    return Ok(VerifyReport {
                        checked: v.checked,
                        head_seq,
                        broken: Some((seq, reason)),
                    });
                }
            }
            after = batch.last().map(|r| r.seq).unwrap_or(after);
            progress(v.checked);
            if after >= head_seq {
                break;
            }
        }
        let broken = if v.checked as i64 != head_seq {
            Some((
                v.checked as i64 + 1,
                format!(
                    "链头记载 {head_seq} 条记录，实际只有 {} 条（末尾记录被删除）",
                    v.checked
                ),
            ))
        } else if v.head() != head_hash {
            Some((head_seq, "链头哈希与最后一条记录不一致".to_string()))
        } else {
            None
        };
        Ok(VerifyReport {
            checked: v.checked,
            head_seq,
            broken,
        })
    }
}

impl App {
    /// Audit records for an Excel export (at most 100,000, newest first).
    pub fn export_audit(&self, actor: &Actor, filter: &AuditFilter) -> AppResult<Vec<AuditRecord>> {
        actor.require(Resource::AuditLog, Action::Export)?;
        self.list_audit(actor, filter, 100_000)
    }
}
