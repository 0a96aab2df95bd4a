//! Migrations: two trees (`migrations/sqlite`, `migrations/postgres`) with the same version list,
//! embedded in the binary, checksummed, applied in order. Never edit an applied migration: the
//! checksum check refuses to start on a database whose history differs from the code.

use crate::{Backend, Conn, Result, Store, StoreError, dialect, params};
use sha2_lite::sha256_hex;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// `version "file-prefix" "name"`: the file is `migrations/<dir>/<file-prefix>_<name>.sql`.
macro_rules! migrations {
    ($dir:literal: $($v:literal $prefix:literal $name:literal),+ $(,)?) => {
        &[$(Migration { version: $v, name: $name,
            sql: include_str!(concat!("../migrations/", $dir, "/", $prefix, "_", $name, ".sql")) }),+]
    };
}

pub const SQLITE: &[Migration] = migrations!("sqlite":
    1 "0001" "foundation",
    2 "0002" "clocks",
    3 "0003" "clues",
    4 "0004" "bench",
    5 "0005" "queue_indexes",
    6 "0006" "cases",
    7 "0007" "list_indexes",
    8 "0008" "case_search",
    9 "0009" "clue_fts_status",
    10 "0010" "clue_search_vector",
);
pub const POSTGRES: &[Migration] = migrations!("postgres":
    1 "0001" "foundation",
    2 "0002" "clocks",
    3 "0003" "clues",
    4 "0004" "bench",
    5 "0005" "queue_indexes",
    6 "0006" "cases",
    7 "0007" "list_indexes",
    8 "0008" "case_search",
    9 "0009" "clue_fts_status",
    10 "0010" "clue_search_vector",
);

pub fn for_backend(b: Backend) -> &'static [Migration] {
    match b {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

pub(crate) fn run(store: &Store) -> Result<Vec<i64>> {
    let list = for_backend(store.backend());
    store.write(|c| {
        dialect::lock_migrations(c)?;
        c.execute(CREATE_TABLE, &[])?;
        let applied: Vec<(i64, String)> = c
            .query("SELECT version, checksum FROM schema_migrations ORDER BY version", &[])?
            .into_iter()
            .map(|r| (r.i64(0), r.text(1)))
            .collect();
        for (v, sum) in &applied {
            match list.iter().find(|m| m.version == *v) {
                None => {
                    return Err(StoreError::Other(format!(
                        "database has migration {v}, which this version of Jingzhi does not know (newer database?)"
                    )));
                }
                Some(m) if &sha256_hex(m.sql) != sum => {
                    return Err(StoreError::Other(format!(
                        "migration {v} ({}) differs from the one applied to this database",
                        m.name
                    )));
                }
                _ => {}
            }
        }
        let mut done = Vec::new();
        for m in list {
            if applied.iter().any(|(v, _)| *v == m.version) {
                continue;
            }
            apply(c, m)?;
            done.push(m.version);
        }
        Ok(done)
    })
}

fn apply(c: &mut dyn Conn, m: &Migration) -> Result<()> {
    tracing::info!(version = m.version, name = m.name, "applying migration");
    c.execute_batch(m.sql)?;
    c.execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        params![m.version, m.name, sha256_hex(m.sql), now_text()],
    )?;
    Ok(())
}

/// The one place the store reads the clock: the migration's applied_at stamp (bookkeeping only,
/// never used by any rule).
#[allow(clippy::disallowed_methods)]
fn now_text() -> String {
    jingzhi_domain::time::format_ts(jiff::Timestamp::now())
}

/// Versions applied to the database.
pub fn applied_versions(store: &Store) -> Result<Vec<i64>> {
    store.read(|c| {
        Ok(c.query("SELECT version FROM schema_migrations ORDER BY version", &[])?
            .into_iter()
            .map(|r| r.i64(0))
            .collect())
    })
}

mod sha2_lite {
    pub fn sha256_hex(s: &str) -> String {
        jingzhi_domain::audit::sha256_hex(s.as_bytes())
    }
}
