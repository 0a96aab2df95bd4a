//! The benchmark write baseline: one row, one transaction.

use crate::{Conn, Result, params};
use jiff::Timestamp;

pub fn insert_probe(c: &mut dyn Conn, at: Timestamp, note: &str) -> Result<i64> {
    c.insert_id(
        "INSERT INTO bench_probe (at, note) VALUES ($1, $2) RETURNING id",
        params![at, note],
    )
}

pub fn count_probes(c: &mut dyn Conn) -> Result<i64> {
    c.scalar_i64("SELECT COUNT(*) FROM bench_probe", &[])
}
