//! Chinese search tokens: what the index stores and what a query matches (the reference semantics
//! that SQLite FTS5 `unicode61` and PostgreSQL `to_tsvector('simple')` give over the token string).

use jingzhi_domain::search::{SearchQuery, index_tokens};

fn hit(text: &str, query: &str) -> bool {
    SearchQuery::parse(query).matches(&index_tokens(text), text)
}

#[test]
fn two_character_queries_match() {
    let text = "仙霞路99弄门口饭店油烟扰民，晚上十点还在营业";
    assert!(hit(text, "油烟"));
    assert!(hit(text, "烟扰"));
    assert!(hit(text, "饭店油烟"));
    assert!(hit(text, "油烟扰民"));
    assert!(!hit(text, "扬尘"));
    // A phrase is consecutive characters, not the same characters anywhere.
    assert!(!hit(text, "油民"));
    assert!(!hit(text, "民扰"));
}

#[test]
fn the_index_holds_bigrams_words_and_numbers() {
    assert_eq!(index_tokens("饭店油烟扰民"), "饭店 店油 油烟 烟扰 扰民");
    assert_eq!(
        index_tokens("ＫＴＶ噪音，工单号A2026-0315"),
        "ktv 噪音 工单 单号 a2026 0315"
    );
    assert_eq!(index_tokens("仙霞路99弄"), "仙霞 霞路 99 弄");
    assert_eq!(index_tokens("，。！"), "");
}

#[test]
fn words_and_numbers_are_case_and_width_insensitive() {
    let text = "工单号 HL20260315001，楼下KTV很吵";
    assert!(hit(text, "hl20260315001"));
    assert!(hit(text, "ＫＴＶ"));
    assert!(hit(text, "ktv 很吵"));
    assert!(!hit(text, "ktv 油烟"));
}

#[test]
fn one_character_queries_need_a_like_fallback() {
    let q = SearchQuery::parse("烟");
    assert!(q.needs_like_fallback());
    assert_eq!(q.like_patterns(), vec!["%烟%".to_string()]);
    assert_eq!(q.fts5_match(), None);
    assert_eq!(q.pg_tsquery(), None);
    assert!(hit("饭店油烟扰民", "烟"));
    assert!(!hit("饭店噪音扰民", "烟"));
    // Mixed: the index answers 油烟, LIKE answers 店.
    let m = SearchQuery::parse("油烟 店");
    assert!(m.needs_like_fallback());
    assert_eq!(m.fts5_match().as_deref(), Some("\"油烟\""));
    assert!(!SearchQuery::parse("油烟").needs_like_fallback());
}

#[test]
fn query_strings_for_both_backends() {
    let q = SearchQuery::parse("饭店油烟 KTV");
    assert_eq!(q.fts5_match().as_deref(), Some("\"饭店 店油 油烟\" AND \"ktv\""));
    assert_eq!(
        q.pg_tsquery().as_deref(),
        Some("('饭店' <-> '店油' <-> '油烟') & 'ktv'")
    );
    assert_eq!(q.tokens(), vec!["饭店", "店油", "油烟", "ktv"]);
    assert!(SearchQuery::parse("，，").is_empty());
    assert!(!hit("任何文本", "，，"));
}
