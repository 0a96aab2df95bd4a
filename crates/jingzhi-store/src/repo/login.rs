//! Sign-in attempts, kept in the database so that rate limits hold across app servers.

use crate::{Conn, Result, params};
use jiff::Timestamp;

pub fn record(c: &mut dyn Conn, username: &str, ip: &str, at: Timestamp, success: bool) -> Result<()> {
    c.execute(
        "INSERT INTO login_attempt (username, ip, at, success) VALUES ($1, $2, $3, $4)",
        params![username, ip, at, success],
    )?;
    Ok(())
}

/// Failed attempts from one address since an instant.
pub fn failures_from_ip_since(c: &mut dyn Conn, ip: &str, since: Timestamp) -> Result<i64> {
    c.scalar_i64(
        "SELECT COUNT(*) FROM login_attempt WHERE ip = $1 AND at >= $2 AND NOT success",
        params![ip, since],
    )
}

/// Forgets attempts older than an instant.
pub fn prune(c: &mut dyn Conn, before: Timestamp) -> Result<u64> {
    c.execute("DELETE FROM login_attempt WHERE at < $1", params![before])
}
