//! Jingzhi's domain: the vocabulary and the rules, with no I/O.
//!
//! Architecture invariant: nothing in this crate reads the clock, the environment, files or the
//! network. Time is always an argument. Everything here is deterministic and unit-testable.
#![forbid(unsafe_code)]

pub mod audit;
pub mod authz;
pub mod case;
pub mod classify;
pub mod clock;
pub mod clue;
pub mod coded;
pub mod dedup;
pub mod fasthash;
pub mod geo;
pub mod matter;
pub mod org;
pub mod password;
pub mod role;
pub mod search;
pub mod time;
pub mod user;

pub use coded::Coded;
