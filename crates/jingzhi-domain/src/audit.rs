//! 审计链 (the audit chain): the backbone of 执法全过程记录. Each record carries the hash of the
//! previous one, so an edit or deletion anywhere breaks every later link.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that precedes the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// Stored instant text (`time::format_ts`).
    pub at: String,
    pub actor_user_id: Option<i64>,
    /// Login name at the time (kept even if the user is renamed).
    pub actor_name: String,
    pub actor_org_id: Option<i64>,
    /// What happened, e.g. `user.create`, `org.update`, `calendar.import`.
    pub action: String,
    /// Kind of the thing changed, e.g. `user`.
    pub entity: String,
    pub entity_id: String,
    /// JSON of the state before (None for creations).
    pub before: Option<String>,
    /// JSON of the state after (None for deletions).
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The canonical bytes of a record's content (everything except `hash`), length-prefixed so
/// that no two different records share them.
fn canonical(r: &AuditRecord) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let mut field = |s: &str| {
        out.extend_from_slice(s.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(s.as_bytes());
        out.push(b'\n');
    };
    field(&r.seq.to_string());
    field(&r.at);
    field(&r.actor_user_id.map(|v| v.to_string()).unwrap_or_default());
    field(&r.actor_name);
    field(&r.actor_org_id.map(|v| v.to_string()).unwrap_or_default());
    field(&r.action);
    field(&r.entity);
    field(&r.entity_id);
    field(r.before.as_deref().unwrap_or("\u{0}"));
    field(r.after.as_deref().unwrap_or("\u{0}"));
    field(&r.prev_hash);
    out
}

/// SHA-256 of some bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash of a record given its content and `prev_hash`.
pub fn record_hash(r: &AuditRecord) -> String {
    hex::encode(Sha256::digest(canonical(r)))
}

/// A broken link: the first record at which the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "审计链在第 {} 条记录处断开：{}", self.seq, self.reason)
    }
}

/// Walks the chain record by record (feed them in `seq` order).
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_prev: String,
    expected_seq: i64,
    pub checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_prev: GENESIS.to_string(),
            expected_seq: 1,
            checked: 0,
        }
    }
}

impl ChainVerifier {
    pub fn feed(&mut self, r: &AuditRecord) -> Result<(), BrokenLink> {
        if r.seq != self.expected_seq {
            return Err(BrokenLink {
                seq: r.seq,
                reason: format!(
                    "序号不连续：应为 {}，实为 {}（记录被删除或插入）",
                    self.expected_seq, r.seq
                ),
            });
        }
        if r.prev_hash != self.expected_prev {
            return Err(BrokenLink {
                seq: r.seq,
                reason: "前一条记录的哈希与本条记载的不一致".into(),
            });
        }
        let h = record_hash(r);
        if h != r.hash {
            return Err(BrokenLink {
                seq: r.seq,
                reason: "记录内容与其哈希不符（记录被修改）".into(),
            });
        }
        self.expected_prev = h;
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// The hash the next record must carry as `prev_hash`.
    pub fn head(&self) -> &str {
        &self.expected_prev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    at: format!("2026-03-02T01:30:{:02}.000000Z", seq % 60),
                    actor_user_id: Some(1),
                    actor_name: "admin".into(),
                    actor_org_id: Some(1),
                    action: "user.create".into(),
                    entity: "user".into(),
                    entity_id: seq.to_string(),
                    before: None,
                    after: Some(format!("{{\"n\":{seq}}}")),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = record_hash(&r);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let mut v = ChainVerifier::default();
        for r in chain(5) {
            v.feed(&r).unwrap();
        }
        assert_eq!(v.checked, 5);
    }

    #[test]
    fn an_edited_record_is_the_first_broken_link() {
        let mut c = chain(5);
        c[2].after = Some("{\"n\":999}".into());
        let mut v = ChainVerifier::default();
        let err = c.iter().try_for_each(|r| v.feed(r)).unwrap_err();
        assert_eq!(err.seq, 3);
    }

    #[test]
    fn a_deleted_record_is_detected() {
        let mut c = chain(5);
        c.remove(1);
        let mut v = ChainVerifier::default();
        let err = c.iter().try_for_each(|r| v.feed(r)).unwrap_err();
        assert_eq!(err.seq, 3);
    }

    #[test]
    fn a_rehashed_edit_still_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].after = Some("{\"n\":999}".into());
        c[2].hash = record_hash(&c[2]);
        let mut v = ChainVerifier::default();
        let err = c.iter().try_for_each(|r| v.feed(r)).unwrap_err();
        assert_eq!(err.seq, 4);
    }

    #[test]
    fn none_and_empty_differ() {
        let mut a = chain(1).remove(0);
        let mut b = a.clone();
        a.before = None;
        b.before = Some(String::new());
        assert_ne!(record_hash(&a), record_hash(&b));
    }
}
