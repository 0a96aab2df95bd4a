//! API keys for machine clients (12345 interface, Open311 clients). Only a SHA-256 of the secret
//! is stored; the prefix identifies the key in lists and logs.

use crate::{Conn, Result, Row, StoreError, params};
use jiff::Timestamp;
use jingzhi_domain::role::Role;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiKeyRow {
    pub id: i64,
    pub prefix: String,
    pub key_hash: String,
    pub name: String,
    pub org_id: i64,
    pub roles: Vec<Role>,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub active: bool,
}

const COLS: &str =
    "id, prefix, key_hash, name, org_id, roles, created_by, created_at, expires_at, last_used_at, active";

fn from_row(r: &Row) -> ApiKeyRow {
    ApiKeyRow {
        id: r.i64(0),
        prefix: r.text(1),
        key_hash: r.text(2),
        name: r.text(3),
        org_id: r.i64(4),
        roles: r.text(5).split(',').filter_map(Role::from_code).collect(),
        created_by: r.opt_i64(6),
        created_at: r.ts(7),
        expires_at: r.opt_ts(8),
        last_used_at: r.opt_ts(9),
        active: r.bool(10),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn insert(
    c: &mut dyn Conn,
    prefix: &str,
    key_hash: &str,
    name: &str,
    org_id: i64,
    roles: &[Role],
    created_by: Option<i64>,
    expires_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<i64> {
    let roles: Vec<&str> = roles.iter().map(|r| r.code()).collect();
    c.insert_id(
        "INSERT INTO api_key (prefix, key_hash, name, org_id, roles, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        params![
            prefix,
            key_hash,
            name,
            org_id,
            roles.join(","),
            created_by,
            now,
            expires_at
        ],
    )
}

pub fn find_by_prefix(c: &mut dyn Conn, prefix: &str) -> Result<Option<ApiKeyRow>> {
    Ok(c.query_opt(
        &format!("SELECT {COLS} FROM api_key WHERE prefix = $1"),
        params![prefix],
    )?
    .as_ref()
    .map(from_row))
}

pub fn list(c: &mut dyn Conn) -> Result<Vec<ApiKeyRow>> {
    Ok(c.query(&format!("SELECT {COLS} FROM api_key ORDER BY id"), &[])?
        .iter()
        .map(from_row)
        .collect())
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<ApiKeyRow> {
    Ok(from_row(&c.query_one(
        &format!("SELECT {COLS} FROM api_key WHERE id = $1"),
        params![id],
    )?))
}

pub fn set_active(c: &mut dyn Conn, id: i64, active: bool) -> Result<()> {
    let n = c.execute("UPDATE api_key SET active = $2 WHERE id = $1", params![id, active])?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Marks use at most once a minute per key, to keep reads cheap.
pub fn mark_used(c: &mut dyn Conn, id: i64, now: Timestamp, not_since: Timestamp) -> Result<()> {
    c.execute(
        "UPDATE api_key SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
        params![id, now, not_since],
    )?;
    Ok(())
}
