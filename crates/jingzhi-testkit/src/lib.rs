//! Test support shared by every crate's tests.
//!
//! - [`Scratch`]: a migrated store on a fresh SQLite file or a fresh PostgreSQL schema, removed
//!   when dropped.
//! - PostgreSQL comes from `TEST_DATABASE_URL`, else `postgres://postgres@127.0.0.1:5432/postgres`.
//! - [`require_all`]: when `JINGZHI_REQUIRE_ALL_SUITES=1` (set by `.ci/run`), a suite that cannot run
//!   (no PostgreSQL, no Chromium) fails instead of being skipped.
#![forbid(unsafe_code)]

pub mod webdriver;

use jingzhi_store::{Backend, Store};
use std::path::PathBuf;

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// True when CI asked that no suite be skipped.
pub fn require_all() -> bool {
    std::env::var("JINGZHI_REQUIRE_ALL_SUITES").is_ok_and(|v| v == "1" || v == "true")
}

/// Reports a suite that cannot run: a failure in CI, a loud skip elsewhere. Returns normally only
/// when skipping is allowed.
pub fn skip_or_fail(suite: &str, why: &str) {
    if require_all() {
        panic!("suite {suite} cannot run and JINGZHI_REQUIRE_ALL_SUITES=1: {why}");
    }
    // Straight to the process's stderr: the test harness hides what `eprintln!` prints from a
    // passing test, and a skip must be seen.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {suite}: {why} (set JINGZHI_REQUIRE_ALL_SUITES=1 to make this a failure)"
    );
}

pub fn random_suffix() -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).expect("random");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn pg_base_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_string())
}

/// A scratch database: a migrated store that disappears when dropped.
pub struct Scratch {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Schema { base_url: String, schema: String },
}

impl Scratch {
    /// A fresh SQLite file in a temporary directory.
    pub fn sqlite() -> Scratch {
        let dir = std::env::temp_dir().join(format!("jingzhi-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("test.db").display());
        let store = Store::open(&url).expect("open sqlite");
        store.migrate().expect("migrate sqlite");
        Scratch {
            store,
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A fresh schema on the test PostgreSQL server, or None (after reporting) when there is none.
    pub fn postgres(suite: &str) -> Option<Scratch> {
        let base = pg_base_url();
        let schema = format!("jz_test_{}", random_suffix());
        let mut admin = match postgres::Client::connect(&base, postgres::NoTls) {
            Ok(c) => c,
            Err(e) => {
                skip_or_fail(suite, &format!("PostgreSQL at {base} unreachable: {e}"));
                return None;
            }
        };
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
        let store = Store::open(&url).expect("open postgres");
        store.migrate().expect("migrate postgres");
        Some(Scratch {
            store,
            url,
            cleanup: Cleanup::Schema { base_url: base, schema },
        })
    }

    /// The scratch database for a backend (None: PostgreSQL unavailable and skipping allowed).
    pub fn on(backend: Backend, suite: &str) -> Option<Scratch> {
        match backend {
            Backend::Sqlite => Some(Scratch::sqlite()),
            Backend::Postgres => Scratch::postgres(suite),
        }
    }

    /// Where a SQLite scratch keeps its files (for backup tests).
    pub fn dir(&self) -> Option<&std::path::Path> {
        match &self.cleanup {
            Cleanup::Dir(d) => Some(d),
            Cleanup::Schema { .. } => None,
        }
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.store.close_idle();
        match &self.cleanup {
            Cleanup::Dir(d) => {
                let _ = std::fs::remove_dir_all(d);
            }
            Cleanup::Schema { base_url, schema } => {
                if std::env::var("JINGZHI_TEST_KEEP_DB").is_ok() {
                    eprintln!("kept schema {schema}");
                    return;
                }
                if let Ok(mut c) = postgres::Client::connect(base_url, postgres::NoTls) {
                    let _ = c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
                }
            }
        }
    }
}

/// Runs a test body on both backends as two `#[test]`s: `both_backends!(name, |s: &Scratch| {…});`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn sqlite() {
                let s = $crate::Scratch::sqlite();
                let f: &dyn Fn(&$crate::Scratch) = &$body;
                f(&s);
            }
            #[test]
            fn postgres() {
                if let Some(s) = $crate::Scratch::postgres(concat!(module_path!(), "::postgres")) {
                    let f: &dyn Fn(&$crate::Scratch) = &$body;
                    f(&s);
                }
            }
        }
    };
}
