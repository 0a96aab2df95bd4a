//! 用户 (users): people who sign in. A user belongs to one org unit and holds one or more roles.

use crate::role::Role;
use jiff::Timestamp;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub phone: Option<String>,
    /// 执法证号 — required for officers and team leaders.
    pub certificate_no: Option<String>,
    pub roles: Vec<Role>,
    pub must_change_password: bool,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<Timestamp>,
    pub last_login_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl User {
    pub fn has_role(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }
    pub fn role_labels(&self) -> String {
        self.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、")
    }
}

/// Username rule: 3–32 characters of a–z, 0–9, `.`, `_`, `-`, starting with a letter.
pub fn check_username(s: &str) -> Result<(), String> {
    let ok_len = (3..=32).contains(&s.len());
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    let ok_start = s.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if ok_len && ok_chars && ok_start {
        Ok(())
    } else {
        Err("用户名应为3至32位小写字母、数字或 . _ -，并以字母开头".into())
    }
}

/// 执法证号 rule: 4–32 visible ASCII letters and digits (formats differ by issuing authority).
pub fn check_certificate_no(s: &str) -> Result<(), String> {
    if (4..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(())
    } else {
        Err("执法证号应为4至32位字母或数字".into())
    }
}

/// Roles that need a certificate must have one.
pub fn check_roles_and_certificate(roles: &[Role], certificate_no: Option<&str>) -> Result<(), String> {
    if roles.is_empty() {
        return Err("至少需要选择一个角色".into());
    }
    if roles.iter().any(|r| r.needs_certificate()) && certificate_no.is_none_or(|c| c.trim().is_empty()) {
        return Err("执法队员和队长须填写执法证号".into());
    }
    if let Some(c) = certificate_no.filter(|c| !c.trim().is_empty()) {
        check_certificate_no(c.trim())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(check_username("zhang.san").is_ok());
        assert!(check_username("Zhang").is_err());
        assert!(check_username("1abc").is_err());
        assert!(check_username("ab").is_err());
    }

    #[test]
    fn officers_need_certificates() {
        assert!(check_roles_and_certificate(&[Role::Officer], None).is_err());
        assert!(check_roles_and_certificate(&[Role::Officer], Some("  ")).is_err());
        assert!(check_roles_and_certificate(&[Role::Officer], Some("31010520260001")).is_ok());
        assert!(check_roles_and_certificate(&[Role::Dispatcher], None).is_ok());
        assert!(check_roles_and_certificate(&[], None).is_err());
    }
}
