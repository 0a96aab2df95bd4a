//! 密码规则 (password policy). Hashing is done by the application (Argon2id); the rule for what
//! a acceptable password is lives here.

/// Checks a new password. Returns a Chinese reason when it is refused.
pub fn check_new_password(username: &str, password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 10 {
        return Err("密码至少需要10个字符".into());
    }
    if n > 128 {
        return Err("密码不能超过128个字符".into());
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        return Err("密码需包含大写字母、小写字母、数字、符号中的至少三类".into());
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err("密码不能包含用户名".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(check_new_password("zhang", "short1A").unwrap_err().contains("10"));
        assert!(
            check_new_password("zhang", "alllowercaseletters")
                .unwrap_err()
                .contains("三类")
        );
        assert!(
            check_new_password("zhang", "Zhang-2026-pass")
                .unwrap_err()
                .contains("用户名")
        );
        assert!(check_new_password("zhang", "Changning-2026").is_ok());
    }
}
