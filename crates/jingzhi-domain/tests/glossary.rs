//! Every coded enum value has a Chinese label and is in docs/glossary.md (the atuin "shrug" rule:
//! vocabulary drifts unless a test holds it).

use jingzhi_domain::coded::all_code_tables;

const GLOSSARY: &str = include_str!("../../../docs/glossary.md");

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_code_has_a_chinese_label() {
    let mut missing = Vec::new();
    for t in all_code_tables() {
        for (code, label) in &t.entries {
            if label.trim().is_empty() || !has_cjk(label) {
                missing.push(format!("{}::{code} has no Chinese label ({label:?})", t.name));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_code_is_in_the_glossary() {
    let mut missing = Vec::new();
    for t in all_code_tables() {
        for (code, label) in &t.entries {
            if !GLOSSARY.contains(&format!("`{code}`")) {
                missing.push(format!("{}::{code} ({label})", t.name));
            }
        }
    }
    assert!(missing.is_empty(), "docs/glossary.md lacks:\n{}", missing.join("\n"));
}

#[test]
fn codes_are_unique_within_each_enum_and_snake_case() {
    for t in all_code_tables() {
        let mut seen = std::collections::BTreeSet::new();
        for (code, _) in &t.entries {
            assert!(seen.insert(*code), "{}::{code} twice", t.name);
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}::{code} is not snake_case",
                t.name
            );
        }
    }
}
