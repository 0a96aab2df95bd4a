//! Random tokens, password hashing (Argon2id) and secret comparison.

use crate::error::{AppError, AppResult, ErrorCode};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).expect("OS random source");
    hex::encode(b)
}

/// A random temporary password that satisfies the password rule (shown once to the admin).
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).expect("OS random source");
    let body: String = b
        .iter()
        .map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char)
        .collect();
    format!("Jz-{}-{}7a", &body[..6], &body[6..])
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn sha256_bytes_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn argon2(memory_kib: u32, passes: u32) -> Argon2<'static> {
    let params = Params::new(memory_kib, passes, 1, None).expect("argon2 params");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Argon2id PHC string of a password.
pub fn hash_password(password: &str, memory_kib: u32, passes: u32) -> AppResult<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("OS random source");
    let salt = SaltString::encode_b64(&salt).map_err(|_| AppError::new(ErrorCode::Internal))?;
    argon2(memory_kib, passes)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AppError::new(ErrorCode::Internal))
}

/// Checks a password against a stored PHC string (parameters are read from the string).
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// Constant-time equality of two strings of the same kind (hashes, tokens).
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("Changning-2026", 64, 1).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Changning-2026", &h));
        assert!(!verify_password("changning-2026", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn temporary_passwords_meet_the_rule() {
        for _ in 0..50 {
            let p = temporary_password();
            jingzhi_domain::password::check_new_password("someone", &p).unwrap();
        }
    }

    #[test]
    fn same_is_exact() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
