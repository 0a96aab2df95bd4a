//! Repositories: one module per table family. Each function takes a [`crate::Conn`] inside a
//! transaction opened by the caller (the application layer), so several repositories and the
//! audit append commit together.

pub mod api_keys;
pub mod audit;
pub mod bench;
pub mod cases;
pub mod clocks;
pub mod clues;
pub mod jobs;
pub mod login;
pub mod places;
pub mod sessions;
pub mod settings;
pub mod users;

/// ` LIMIT n[ OFFSET m]` written into the statement rather than bound: PostgreSQL plans a
/// statement whose limit is a parameter again at every execution (its generic plan, made without
/// the limit, looks dearer than the plans made with it), which cost 0.15–0.6 ms a page; with the
/// numbers in the text its cached generic plan is the same plan and is reused (0.006 ms). The
/// numbers are integers, so nothing of a user's input reaches the text; each page number is its
/// own cached statement (the caches are bounded).
pub(crate) fn limit_offset(limit: i64, offset: i64) -> String {
    let (limit, offset) = (limit.max(0), offset.max(0));
    if offset == 0 {
        format!(" LIMIT {limit}")
    } else {
        format!(" LIMIT {limit} OFFSET {offset}")
    }
}
