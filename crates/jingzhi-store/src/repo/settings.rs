//! Small key/value settings that officials maintain (thresholds, formats), with their history in
//! the audit trail.

use crate::{Conn, Result, params};
use jiff::Timestamp;

pub fn get(c: &mut dyn Conn, key: &str) -> Result<Option<String>> {
    Ok(c.query_opt("SELECT value FROM setting WHERE key = $1", params![key])?
        .map(|r| r.text(0)))
}

pub fn set(c: &mut dyn Conn, key: &str, value: &str, now: Timestamp) -> Result<()> {
    c.execute(
        "INSERT INTO setting (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, value, now],
    )?;
    Ok(())
}
