//! Browser sessions, stored in the database so that several app servers share them. The cookie
//! carries a random token; only its SHA-256 is stored.

use crate::{Conn, Result, params};
use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

pub fn insert(c: &mut dyn Conn, s: &SessionRow, ip: Option<&str>, user_agent: Option<&str>) -> Result<()> {
    c.execute(
        "INSERT INTO web_session (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        params![&s.token_hash, s.user_id, &s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, ip, user_agent],
    )?;
    Ok(())
}

/// The session if it exists and has not expired at `now`.
pub fn get_live(c: &mut dyn Conn, token_hash: &str, now: Timestamp) -> Result<Option<SessionRow>> {
    Ok(c.query_opt(
        "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at FROM web_session \
         WHERE token_hash = $1 AND expires_at > $2",
        params![token_hash, now],
    )?
    .map(|r| SessionRow {
        token_hash: r.text(0),
        user_id: r.i64(1),
        csrf_token: r.text(2),
        created_at: r.ts(3),
        last_seen_at: r.ts(4),
        expires_at: r.ts(5),
    }))
}

/// Slides the session's expiry forward.
pub fn touch(c: &mut dyn Conn, token_hash: &str, now: Timestamp, expires_at: Timestamp) -> Result<()> {
    c.execute(
        "UPDATE web_session SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1",
        params![token_hash, now, expires_at],
    )?;
    Ok(())
}

pub fn delete(c: &mut dyn Conn, token_hash: &str) -> Result<u64> {
    c.execute("DELETE FROM web_session WHERE token_hash = $1", params![token_hash])
}

/// Signs a user out everywhere (password change, account disabled).
pub fn delete_for_user(c: &mut dyn Conn, user_id: i64) -> Result<u64> {
    c.execute("DELETE FROM web_session WHERE user_id = $1", params![user_id])
}

pub fn delete_expired(c: &mut dyn Conn, now: Timestamp) -> Result<u64> {
    c.execute("DELETE FROM web_session WHERE expires_at <= $1", params![now])
}

pub fn count_for_user(c: &mut dyn Conn, user_id: i64) -> Result<i64> {
    c.scalar_i64("SELECT COUNT(*) FROM web_session WHERE user_id = $1", params![user_id])
}

/// Signs a user out everywhere except one session (after a password change).
pub fn delete_for_user_except(c: &mut dyn Conn, user_id: i64, keep: Option<&str>) -> Result<u64> {
    c.execute(
        "DELETE FROM web_session WHERE user_id = $1 AND token_hash <> $2",
        params![user_id, keep.unwrap_or("")],
    )
}
