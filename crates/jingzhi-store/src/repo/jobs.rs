//! Scheduled job slots: several app servers may try to run the same job for the same time slot;
//! the one whose insert succeeds runs it. Portable and idempotent (no leader election).

use crate::{Conn, Result, params};
use jiff::Timestamp;

/// Tries to claim `(name, slot)`. True when this node won and must run the job.
pub fn claim(c: &mut dyn Conn, name: &str, slot: &str, node: &str, now: Timestamp) -> Result<bool> {
    let n = c.execute(
        "INSERT INTO job_run (name, slot, node, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name, slot) DO NOTHING",
        params![name, slot, node, now],
    )?;
    Ok(n == 1)
}

pub fn finish(c: &mut dyn Conn, name: &str, slot: &str, result: &str, now: Timestamp) -> Result<()> {
    c.execute(
        "UPDATE job_run SET finished_at = $3, result = $4 WHERE name = $1 AND slot = $2",
        params![name, slot, now, result],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobRun {
    pub name: String,
    pub slot: String,
    pub node: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub result: Option<String>,
}

pub fn recent(c: &mut dyn Conn, name: &str, limit: i64) -> Result<Vec<JobRun>> {
    Ok(c.query(
        "SELECT name, slot, node, started_at, finished_at, result FROM job_run WHERE name = $1 ORDER BY slot DESC LIMIT $2",
        params![name, limit],
    )?
    .into_iter()
    .map(|r| JobRun {
        name: r.text(0),
        slot: r.text(1),
        node: r.text(2),
        started_at: r.ts(3),
        finished_at: r.opt_ts(4),
        result: r.opt_text(5),
    })
    .collect())
}
