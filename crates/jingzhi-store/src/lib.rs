//! Jingzhi's store: the only crate that knows SQL.
//!
//! One interface, two backends chosen at run time from the database URL:
//! - `sqlite://path` — embedded SQLite (bundled, WAL, foreign keys on). One writer connection on
//!   a thread of its own that runs the writes in batches (group commit), a small pool of reader
//!   connections.
//! - `postgres://…` — PostgreSQL for several app servers, through a small pool of synchronous
//!   clients.
//!
//! SQL is written once, portable, with `$n` placeholders (bound by name on SQLite). The few statements that differ live in
//! [`dialect`]. No date arithmetic happens in SQL: instants are stored as fixed-width UTC text and
//! compared as text; all calendar maths is done by `jingzhi_domain`.
//!
//! The store is synchronous. Callers in async code run it on a blocking thread.

pub mod dialect;
pub mod migrate;
mod pg;
pub mod repo;
mod sqlite;
mod value;

pub use value::{Row, Value};

use std::fmt;
use std::sync::Arc;

/// Which backend a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Storage errors, classified so that the application can answer with a stable code.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint was violated; carries the constraint or column description.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A foreign key was violated.
    #[error("foreign key: {0}")]
    ForeignKey(String),
    /// A check constraint or trigger refused the change.
    #[error("refused by the database: {0}")]
    Refused(String),
    /// The database could not be reached or did not answer.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection inside a transaction. Every repository function takes one.
pub trait Conn {
    fn backend(&self) -> Backend;
    /// Runs one statement; returns the number of rows changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    /// Runs one query and returns all rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    /// Runs several statements without parameters (migrations).
    fn execute_batch(&mut self, sql: &str) -> Result<()>;

    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row> {
        self.query_opt(sql, params)?.ok_or(StoreError::NotFound)
    }
    /// Runs an `INSERT … RETURNING id` and returns the id.
    fn insert_id(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        Ok(self.query_one(sql, params)?.i64(0))
    }
    fn scalar_i64(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        Ok(self.query_one(sql, params)?.i64(0))
    }
    /// Writes this transaction keeps in memory and makes once, just before it commits.
    fn deferred(&mut self) -> &mut Deferred;

    /// Inserts a row into an append-only table that nothing references (`LATER_TABLES`), when the
    /// caller needs nothing back. SQLite (in the process: a statement costs no round trip) inserts
    /// it at once. PostgreSQL keeps it and sends the rows kept together, as one statement, before
    /// the first later statement that is not an `INSERT` or `SELECT`, or that names one of those
    /// tables, and at commit (with the audit head's update): a registration's events and audit
    /// records cost one round trip instead of one each.
    fn insert_later(&mut self, table: &'static str, columns: &'static str, values: Vec<Value>) -> Result<()> {
        debug_assert!(LATER_TABLES.contains(&table), "{table} is not written later");
        self.execute(&values_insert(table, columns, 1, values.len(), 1), &values)
            .map(|_| ())
    }

    /// Runs a statement after the rows kept by `insert_later`, in the same round trip where the
    /// backend can (PostgreSQL: the inserts as `WITH` clauses of the statement).
    fn execute_after_later(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.execute(sql, params)
    }
}

/// `INSERT INTO table (columns) VALUES (…), (…)` for `rows` rows of `width` values, numbered
/// from `$first`.
pub(crate) fn values_insert(table: &str, columns: &str, rows: usize, width: usize, first: usize) -> String {
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let cells: Vec<String> = (0..width).map(|i| format!("${}", first + r * width + i)).collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    format!("INSERT INTO {table} ({columns}) VALUES {}", tuples.join(", "))
}

/// The tables `Conn::insert_later` may keep rows for: append-only, with no foreign key pointing at
/// them and no trigger reading them, so that a statement that does not name them cannot miss a
/// row still kept.
pub const LATER_TABLES: [&str; 2] = ["clue_event", "audit_log"];

/// Rows that every write of a long transaction would otherwise update again and again: the audit
/// chain's head and the counters (case and clue numbers). The first use in a transaction locks
/// the row (PostgreSQL: `FOR UPDATE` / the upsert's row lock; SQLite: the one writer), later uses
/// read and bump the value here, and the store writes the final values just before `COMMIT`.
/// (On PostgreSQL each update of one row inside one transaction leaves a row version that the next
/// update must step over: 100,000 updates of one row took minutes, a quadratic cost.)
#[derive(Debug, Default, Clone)]
pub struct Deferred {
    /// The last audit record appended in this transaction: (seq, hash).
    pub(crate) audit_head: Option<(i64, String)>,
    /// (name, scope) → (value in the database, value now).
    pub(crate) counters: std::collections::BTreeMap<(String, String), (i64, i64)>,
    /// New clues for the SQLite full-text index (their ids). FTS5 writes its pending
    /// terms out at every statement end and savepoint release; added at commit, they are written
    /// once per transaction, with the clue's text and status as they are then.
    /// (A set: an import asks, for each clue it changes, whether that clue is still to be indexed.)
    pub(crate) fts: std::collections::BTreeSet<i64>,
}

impl Deferred {
    /// Writes what is pending and empties it.
    pub(crate) fn flush(c: &mut dyn Conn) -> Result<()> {
        let d = std::mem::take(c.deferred());
        if let Some((seq, hash)) = &d.audit_head {
            c.execute_after_later(
                "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
                &[Value::Int(*seq), Value::Text(hash.clone())],
            )?;
        }
        repo::clues::index_at_commit(c, &d.fts.iter().copied().collect::<Vec<_>>())?;
        for ((name, scope), (stored, now)) in &d.counters {
            if now != stored {
                c.execute(
                    "UPDATE counter SET value = $3 WHERE name = $1 AND scope = $2",
                    &[Value::Text(name.clone()), Value::Text(scope.clone()), Value::Int(*now)],
                )?;
            }
        }
        Ok(())
    }
}

/// Connection settings that are not part of the URL.
#[derive(Clone)]
pub struct StoreOptions {
    /// Maximum PostgreSQL connections per app server.
    pub pg_pool_size: usize,
    /// PostgreSQL parallel workers per query (`max_parallel_workers_per_gather`) on this server's
    /// connections. 0 by default: the app's queries are pages of a few dozen rows under many
    /// concurrent users, where a worker process started per query costs more than it brings (the
    /// 已超期 queue's page query: 7 ms with one worker, 0.3 ms without, at a million clues).
    pub pg_parallel_workers: u32,
    /// SQLite reader connections.
    pub sqlite_readers: usize,
    /// SQLite `synchronous` setting: NORMAL (default; a killed process loses nothing, a power cut
    /// may lose the last commits) or FULL (survives power loss, ~5,000 commits/s here).
    pub sqlite_synchronous_full: bool,
    /// SQLite write-ahead log limit (MB): after a checkpoint the log's file is cut back to this
    /// size, and once the log is four fifths as long the writer finishes the checkpoint itself and
    /// starts the log again (every write waits meanwhile, so the longer, the rarer that wait).
    pub sqlite_wal_limit_mb: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            pg_pool_size: 16,
            pg_parallel_workers: 0,
            sqlite_readers: 4,
            sqlite_synchronous_full: false,
            sqlite_wal_limit_mb: 320,
        }
    }
}

// One per store, behind an `Arc`: the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Inner {
    Sqlite(sqlite::SqliteStore),
    Postgres(pg::PgStore),
}

/// A handle on the database. Cheap to clone; share it.
#[derive(Clone)]
pub struct Store(Arc<Inner>);

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Store({})", self.backend().name())
    }
}

impl Store {
    /// Opens a store from a URL: `sqlite://data/jingzhi.db`, `sqlite:///abs/path.db` or
    /// `postgres://user@host:port/db`. The URL is never logged with its password.
    pub fn open(url: &str) -> Result<Store> {
        Store::open_with(url, &StoreOptions::default())
    }

    pub fn open_with(url: &str, opts: &StoreOptions) -> Result<Store> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Store(Arc::new(Inner::Sqlite(sqlite::SqliteStore::open(path, opts)?))))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store(Arc::new(Inner::Postgres(pg::PgStore::open(url, opts)?))))
        } else {
            Err(StoreError::Other(format!(
                "unsupported database URL (use sqlite://PATH or postgres://…): {}",
                redact_url(url)
            )))
        }
    }

    pub fn backend(&self) -> Backend {
        match &*self.0 {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f`, which only reads. SQLite: in a read transaction (one snapshot for all its
    /// statements). PostgreSQL: without a transaction, each statement seeing what was committed
    /// when it began — what the `READ COMMITTED` transaction it had before gave too, at two round
    /// trips (`BEGIN`, `COMMIT`) more; a write there panics in debug builds.
    pub fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        match &*self.0 {
            Inner::Sqlite(s) => s.read(f),
            Inner::Postgres(p) => p.read(f),
        }
    }

    /// Runs `f` in a write transaction: committed when `f` returns Ok, rolled back otherwise.
    /// On SQLite, writes are serialised through one connection.
    pub fn write<T: Send, E: From<StoreError> + Send>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E> + Send,
    ) -> Result<T, E> {
        match &*self.0 {
            Inner::Sqlite(s) => s.write(f),
            Inner::Postgres(p) => p.transaction(f),
        }
    }

    /// True when the database answers a trivial query.
    pub fn ping(&self) -> Result<()> {
        self.read(|c| c.query_one("SELECT 1", &[]).map(|_| ()))
    }

    /// Applies pending migrations; returns the versions applied.
    pub fn migrate(&self) -> Result<Vec<i64>> {
        migrate::run(self)
    }

    /// SQLite only: an online, consistent copy of the database to `dest`, reporting progress
    /// (pages done, pages total) as it goes.
    pub fn backup_sqlite(&self, dest: &std::path::Path, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        match &*self.0 {
            Inner::Sqlite(s) => s.backup(dest, progress),
            Inner::Postgres(_) => Err(StoreError::Other(
                "PostgreSQL databases are backed up with pg_dump (see docs/operations.md)".into(),
            )),
        }
    }

    /// Refreshes the planner's statistics after a bulk load (generators, large imports):
    /// `VACUUM (ANALYZE)` on PostgreSQL, whose plans for the queue and search queries go from
    /// milliseconds to seconds without statistics after a million-row load, and whose capped
    /// counts need the visibility map (index-only scans) that autovacuum would set only later. A
    /// no-op on SQLite, where `ANALYZE` made the queue plans worse than the planner's defaults with
    /// the partial indexes of 0005.
    pub fn refresh_statistics(&self) -> Result<()> {
        match &*self.0 {
            Inner::Sqlite(_) => Ok(()),
            Inner::Postgres(p) => p.maintenance("VACUUM (ANALYZE)"),
        }
    }

    /// Closes idle connections (used by tests before dropping a scratch database).
    pub fn close_idle(&self) {
        if let Inner::Postgres(p) = &*self.0 {
            p.close_idle()
        }
    }
}

/// Removes the password from a database URL, for logs and error messages.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((creds, host)) = rest.split_once('@')
    {
        let user = creds.split(':').next().unwrap_or("");
        if creds.contains(':') {
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            super::redact_url("postgres://jz:secret@db:5432/jz"),
            "postgres://jz:***@db:5432/jz"
        );
        assert_eq!(super::redact_url("postgres://jz@db/jz"), "postgres://jz@db/jz");
        assert_eq!(
            super::redact_url("sqlite://data/jingzhi.db"),
            "sqlite://data/jingzhi.db"
        );
    }
}
