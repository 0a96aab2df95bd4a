//! Embedded SQLite through rusqlite: one writer connection behind a mutex, a pool of readers.
//! (Why rusqlite and not sqlx here: ../shared/design/buildtimes.md §4 — sqlx's SQLite driver pays a
//! thread hop per statement; rusqlite behind one writer was 4× faster over HTTP on this machine.)

use crate::{Backend, Conn, Deferred, Result, Row, StoreError, StoreOptions, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub(crate) struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    max_readers: usize,
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(*b as i64)),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn map_err(e: rusqlite::Error) -> StoreError {
    use rusqlite::ffi;
    match &e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        rusqlite::Error::SqliteFailure(f, msg) => {
            let msg = msg.clone().unwrap_or_else(|| e.to_string());
            match f.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => StoreError::Conflict(msg),
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => StoreError::ForeignKey(msg),
                ffi::SQLITE_CONSTRAINT_CHECK | ffi::SQLITE_CONSTRAINT_TRIGGER | ffi::SQLITE_CONSTRAINT_NOTNULL => {
                    StoreError::Refused(msg)
                }
                _ if f.code == rusqlite::ErrorCode::ConstraintViolation => StoreError::Refused(msg),
                _ if f.code == rusqlite::ErrorCode::DatabaseBusy || f.code == rusqlite::ErrorCode::DatabaseLocked => {
                    StoreError::Unavailable(msg)
                }
                _ => StoreError::Other(msg),
            }
        }
        _ => StoreError::Other(e.to_string()),
    }
}

/// A connection inside a transaction. `failed` records that a statement failed: the transaction
/// is then rolled back even if the caller swallowed the error (PostgreSQL aborts such a
/// transaction; SQLite would not — this keeps both backends alike).
struct SqliteConn<'a> {
    conn: &'a Connection,
    failed: bool,
    deferred: Deferred,
}

impl SqliteConn<'_> {
    fn note<T>(&mut self, r: Result<T>) -> Result<T> {
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    /// Prepares (cached) and binds. SQL keeps its `$n` placeholders: SQLite reads `$1` as a named
    /// parameter, so each value is bound by the index of its name — no rewriting per call.
    fn bound(&self, sql: &str, params: &[Value]) -> Result<rusqlite::CachedStatement<'_>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(map_err)?;
        let expected = stmt.parameter_count();
        for (i, v) in params.iter().enumerate() {
            let name = param_name(i + 1);
            match stmt.parameter_index(&name).map_err(map_err)? {
                Some(idx) => stmt.raw_bind_parameter(idx, v).map_err(map_err)?,
                None => {
                    return Err(StoreError::Other(format!(
                        "parameter {name} is not in the statement: {sql}"
                    )));
                }
            }
        }
        if params.len() != expected {
            return Err(StoreError::Other(format!(
                "{} parameters for {expected} placeholders: {sql}",
                params.len()
            )));
        }
        Ok(stmt)
    }

    fn run_execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.bound(sql, params)?;
        let n = stmt.raw_execute().map_err(map_err)?;
        Ok(n as u64)
    }

    fn run_query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut stmt = self.bound(sql, params)?;
        let ncol = stmt.column_count();
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(map_err)? {
            let mut vals = Vec::with_capacity(ncol);
            for i in 0..ncol {
                vals.push(match r.get_ref(i).map_err(map_err)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                });
            }
            out.push(Row(vals));
        }
        Ok(out)
    }
}

impl Conn for SqliteConn<'_> {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let r = self.run_execute(sql, params);
        self.note(r)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let r = self.run_query(sql, params);
        self.note(r)
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        let r = self.conn.execute_batch(sql).map_err(map_err);
        self.note(r)
    }

    fn deferred(&mut self) -> &mut Deferred {
        &mut self.deferred
    }
}

/// `$1`, `$2`, … (the names SQLite gives our placeholders).
fn param_name(i: usize) -> std::borrow::Cow<'static, str> {
    const NAMES: [&str; 16] = [
        "$0", "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
    ];
    match NAMES.get(i) {
        Some(n) => std::borrow::Cow::Borrowed(n),
        None => std::borrow::Cow::Owned(format!("${i}")),
    }
}

fn configure(conn: &Connection, synchronous_full: bool) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(map_err)?;
    conn.set_prepared_statement_cache_capacity(256);
    // Plan without looking at bound values: otherwise SQLite re-prepares a cached statement each
    // time a parameter it planned with changes (measured: a fifth of the 12345 import's time).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(map_err)?;
    let sync = if synchronous_full { "FULL" } else { "NORMAL" };
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = {sync}; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -32000;"
    ))
    .map_err(map_err)
}

impl SqliteStore {
    pub(crate) fn open(path: &str, opts: &StoreOptions) -> Result<SqliteStore> {
        let path = PathBuf::from(path);
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
        }
        let writer =
            Connection::open(&path).map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
        // WAL: readers never block the writer; a killed process loses no committed transaction.
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(map_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Other(format!(
                "could not switch SQLite to WAL (got {mode})"
            )));
        }
        configure(&writer, opts.sqlite_synchronous_full)?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            max_readers: opts.sqlite_readers.max(1),
        })
    }

    fn reader(&self) -> Result<Connection> {
        if let Some(c) = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(c);
        }
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        configure(&c, false)?;
        Ok(c)
    }

    fn give_back(&self, c: Connection) {
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < self.max_readers {
            pool.push(c);
        }
    }

    pub(crate) fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let conn = self.reader()?;
        conn.execute_batch("BEGIN").map_err(map_err)?;
        let out = f(&mut SqliteConn {
            conn: &conn,
            failed: false,
            deferred: Deferred::default(),
        });
        // A read-only transaction has nothing to keep; end it either way.
        let _ = conn.execute_batch("COMMIT");
        self.give_back(conn);
        out
    }

    pub(crate) fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute_batch("BEGIN IMMEDIATE").map_err(map_err)?;
        let mut sc = SqliteConn {
            conn: &conn,
            failed: false,
            deferred: Deferred::default(),
        };
        let mut out = f(&mut sc);
        if out.is_ok()
            && !sc.failed
            && let Err(e) = Deferred::flush(&mut sc)
        {
            out = Err(e.into());
        }
        let failed = sc.failed;
        match out {
            Ok(_) if failed => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(StoreError::Other("a statement failed inside the transaction; rolled back".into()).into())
            }
            Ok(v) => match conn.execute_batch("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    Err(map_err(e).into())
                }
            },
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    pub(crate) fn backup(&self, dest: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        let src = self.reader()?;
        let mut dst =
            Connection::open(dest).map_err(|e| StoreError::Unavailable(format!("{}: {e}", dest.display())))?;
        {
            let b = rusqlite::backup::Backup::new(&src, &mut dst).map_err(map_err)?;
            loop {
                let r = b.step(256).map_err(map_err)?;
                let p = b.progress();
                let total = p.pagecount.max(0) as u64;
                progress(total.saturating_sub(p.remaining.max(0) as u64), total);
                match r {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => {}
                    _ => std::thread::yield_now(),
                }
            }
        }
        // The copy must stand alone: no WAL file beside it.
        dst.execute_batch("PRAGMA journal_mode = DELETE;").map_err(map_err)?;
        self.give_back(src);
        Ok(())
    }
}
