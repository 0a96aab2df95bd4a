//! The audit chain's storage. Appends lock the chain head (one row) so that appends from several
//! app servers are serialised and every record links to the one before it; the head row is
//! written once, when the transaction commits (crate::Deferred).

use crate::{Conn, Result, Row, dialect, params};
use jingzhi_domain::audit::{AuditRecord, record_hash};

/// What the application says happened; the store numbers it and links it.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub at: &'a str,
    pub actor_user_id: Option<i64>,
    pub actor_name: &'a str,
    pub actor_org_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub fn append(c: &mut dyn Conn, e: NewAudit<'_>) -> Result<AuditRecord> {
    // The head is read (and locked) once per transaction and written back at commit
    // (crate::Deferred).
    let (seq, prev_hash) = match c.deferred().audit_head.clone() {
        Some(h) => h,
        None => {
            let sql = format!(
                "SELECT seq, hash FROM audit_head WHERE id = 1{}",
                dialect::for_update(c.backend())
            );
            let head = c.query_one(&sql, &[])?;
            (head.i64(0), head.text(1))
        }
    };
    let mut r = AuditRecord {
        seq: seq + 1,
        at: e.at.to_string(),
        actor_user_id: e.actor_user_id,
        actor_name: e.actor_name.to_string(),
        actor_org_id: e.actor_org_id,
        action: e.action.to_string(),
        entity: e.entity.to_string(),
        entity_id: e.entity_id.to_string(),
        before: e.before,
        after: e.after,
        prev_hash,
        hash: String::new(),
    };
    r.hash = record_hash(&r);
    // Sent with the head's update at commit on PostgreSQL (`Conn::insert_later`).
    c.insert_later(
        "audit_log",
        "seq, at, actor_user_id, actor_name, actor_org_id, action, entity, entity_id, before_json, after_json, \
         prev_hash, hash",
        params![
            r.seq,
            &r.at,
            r.actor_user_id,
            &r.actor_name,
            r.actor_org_id,
            &r.action,
            &r.entity,
            &r.entity_id,
            &r.before,
            &r.after,
            &r.prev_hash,
            &r.hash
        ]
        .to_vec(),
    )?;
    c.deferred().audit_head = Some((r.seq, r.hash.clone()));
    Ok(r)
}

const COLS: &str = "seq, at, actor_user_id, actor_name, actor_org_id, action, entity, entity_id, before_json, \
                    after_json, prev_hash, hash";

fn from_row(r: &Row) -> AuditRecord {
    AuditRecord {
        seq: r.i64(0),
        at: r.text(1),
        actor_user_id: r.opt_i64(2),
        actor_name: r.text(3),
        actor_org_id: r.opt_i64(4),
        action: r.text(5),
        entity: r.text(6),
        entity_id: r.text(7),
        before: r.opt_text(8),
        after: r.opt_text(9),
        prev_hash: r.text(10),
        hash: r.text(11),
    }
}

/// Records with `seq > after_seq`, in order, at most `limit` (for walking the chain in batches).
pub fn batch_after(c: &mut dyn Conn, after_seq: i64, limit: i64) -> Result<Vec<AuditRecord>> {
    Ok(c.query(
        &format!("SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"),
        params![after_seq, limit],
    )?
    .iter()
    .map(from_row)
    .collect())
}

/// Filters for the audit list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<i64>,
    pub action_prefix: Option<String>,
    /// Only records with `seq < before_seq` (paging backwards).
    pub before_seq: Option<i64>,
}

/// Newest first.
pub fn list(c: &mut dyn Conn, f: &AuditFilter, limit: i64) -> Result<Vec<AuditRecord>> {
    Ok(c.query(
        &format!(
            "SELECT {COLS} FROM audit_log WHERE (CAST($1 AS TEXT) IS NULL OR entity = $1) AND (CAST($2 AS TEXT) IS NULL OR entity_id = $2) \
             AND (CAST($3 AS BIGINT) IS NULL OR actor_user_id = $3) AND (CAST($4 AS TEXT) IS NULL OR action LIKE $4) \
             AND (CAST($5 AS BIGINT) IS NULL OR seq < $5) ORDER BY seq DESC LIMIT $6"
        ),
        params![
            &f.entity,
            &f.entity_id,
            f.actor_user_id,
            f.action_prefix.as_ref().map(|p| format!("{p}%")),
            f.before_seq,
            limit
        ],
    )?
    .iter()
    .map(from_row)
    .collect())
}

/// The head: (last seq, last hash).
pub fn head(c: &mut dyn Conn) -> Result<(i64, String)> {
    let r = c.query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?;
    Ok((r.i64(0), r.text(1)))
}

pub fn count(c: &mut dyn Conn) -> Result<i64> {
    c.scalar_i64("SELECT COUNT(*) FROM audit_log", &[])
}
