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
