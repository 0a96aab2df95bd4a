//! Users and their roles.

use crate::{Conn, Result, Row, StoreError, params};
use jiff::Timestamp;
use jingzhi_domain::role::Role;
use jingzhi_domain::user::User;

const COLS: &str = "id, username, display_name, org_id, phone, certificate_no, must_change_password, active, \
                    failed_logins, locked_until, last_login_at, created_at";

fn user_from(r: &Row, roles: Vec<Role>) -> User {
    User {
        id: r.i64(0),
        username: r.text(1),
        display_name: r.text(2),
        org_id: r.i64(3),
        phone: r.opt_text(4),
        certificate_no: r.opt_text(5),
        roles,
        must_change_password: r.bool(6),
        active: r.bool(7),
        failed_logins: r.i64(8),
        locked_until: r.opt_ts(9),
        last_login_at: r.opt_ts(10),
        created_at: r.ts(11),
    }
}

fn roles_of(c: &mut dyn Conn, user_id: i64) -> Result<Vec<Role>> {
    let mut v: Vec<Role> = c
        .query("SELECT role FROM user_role WHERE user_id = $1", params![user_id])?
        .iter()
        .filter_map(|r| Role::from_code(&r.text(0)))
        .collect();
    v.sort();
    Ok(v)
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub phone: Option<String>,
    pub certificate_no: Option<String>,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub must_change_password: bool,
}

pub fn insert(c: &mut dyn Conn, u: &NewUser, now: Timestamp) -> Result<i64> {
    let id = c.insert_id(
        "INSERT INTO app_user (username, display_name, org_id, phone, certificate_no, password_hash, \
         must_change_password, password_changed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) RETURNING id",
        params![
            &u.username,
            &u.display_name,
            u.org_id,
            &u.phone,
            &u.certificate_no,
            &u.password_hash,
            u.must_change_password,
            now
        ],
    )?;
    set_roles(c, id, &u.roles)?;
    Ok(id)
}

pub fn set_roles(c: &mut dyn Conn, user_id: i64, roles: &[Role]) -> Result<()> {
    c.execute("DELETE FROM user_role WHERE user_id = $1", params![user_id])?;
    for r in roles {
        c.execute(
            "INSERT INTO user_role (user_id, role) VALUES ($1, $2)",
            params![user_id, r.code()],
        )?;
    }
    Ok(())
}

/// Editable profile fields.
#[derive(Debug, Clone)]
pub struct UserProfile {
    pub display_name: String,
    pub org_id: i64,
    pub phone: Option<String>,
    pub certificate_no: Option<String>,
    pub roles: Vec<Role>,
}

pub fn update_profile(c: &mut dyn Conn, id: i64, p: &UserProfile, now: Timestamp) -> Result<()> {
    let n = c.execute(
        "UPDATE app_user SET display_name = $2, org_id = $3, phone = $4, certificate_no = $5, updated_at = $6 WHERE id = $1",
        params![id, &p.display_name, p.org_id, &p.phone, &p.certificate_no, now],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    set_roles(c, id, &p.roles)
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<User> {
    let r = c.query_one(&format!("SELECT {COLS} FROM app_user WHERE id = $1"), params![id])?;
    let roles = roles_of(c, id)?;
    Ok(user_from(&r, roles))
}

pub fn find_by_username(c: &mut dyn Conn, username: &str) -> Result<Option<User>> {
    match c.query_opt(
        &format!("SELECT {COLS} FROM app_user WHERE username = $1"),
        params![username],
    )? {
        None => Ok(None),
        Some(r) => {
            let roles = roles_of(c, r.i64(0))?;
            Ok(Some(user_from(&r, roles)))
        }
    }
}

/// The stored Argon2id PHC string.
pub fn password_hash(c: &mut dyn Conn, id: i64) -> Result<String> {
    Ok(
        c.query_one("SELECT password_hash FROM app_user WHERE id = $1", params![id])?
            .text(0),
    )
}

pub fn set_password(c: &mut dyn Conn, id: i64, hash: &str, must_change: bool, now: Timestamp) -> Result<()> {
    let n = c.execute(
        "UPDATE app_user SET password_hash = $2, must_change_password = $3, password_changed_at = $4, \
         failed_logins = 0, locked_until = NULL, updated_at = $4 WHERE id = $1",
        params![id, hash, must_change, now],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

pub fn set_active(c: &mut dyn Conn, id: i64, active: bool, now: Timestamp) -> Result<()> {
    let n = c.execute(
        "UPDATE app_user SET active = $2, updated_at = $3 WHERE id = $1",
        params![id, active, now],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Records a failed sign-in; sets `locked_until` when given.
pub fn record_failure(c: &mut dyn Conn, id: i64, failed_logins: i64, locked_until: Option<Timestamp>) -> Result<()> {
    c.execute(
        "UPDATE app_user SET failed_logins = $2, locked_until = $3 WHERE id = $1",
        params![id, failed_logins, locked_until],
    )?;
    Ok(())
}

pub fn record_success(c: &mut dyn Conn, id: i64, now: Timestamp) -> Result<()> {
    c.execute(
        "UPDATE app_user SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1",
        params![id, now],
    )?;
    Ok(())
}

/// Users, optionally of a set of org units, ordered by org then username.
pub fn list(c: &mut dyn Conn, org_ids: Option<&[i64]>) -> Result<Vec<User>> {
    let rows = c.query(&format!("SELECT {COLS} FROM app_user ORDER BY org_id, username"), &[])?;
    let role_rows = c.query("SELECT user_id, role FROM user_role ORDER BY user_id, role", &[])?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.i64(0);
        if let Some(ids) = org_ids
            && !ids.contains(&r.i64(3))
        {
            continue;
        }
        let mut roles: Vec<Role> = role_rows
            .iter()
            .filter(|rr| rr.i64(0) == id)
            .filter_map(|rr| Role::from_code(&rr.text(1)))
            .collect();
        roles.sort();
        out.push(user_from(&r, roles));
    }
    Ok(out)
}

pub fn count(c: &mut dyn Conn) -> Result<i64> {
    c.scalar_i64("SELECT COUNT(*) FROM app_user", &[])
}
