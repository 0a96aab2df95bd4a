//! Embedded SQLite through rusqlite: one writer connection on a thread of its own, a pool of
//! readers.
//! (Why rusqlite and not sqlx here: ../shared/design/buildtimes.md §4 — sqlx's SQLite driver pays a
//! thread hop per statement; rusqlite behind one writer was 4× faster over HTTP on this machine.)

use crate::{Backend, Conn, Deferred, Result, Row, StoreError, StoreOptions, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

pub(crate) struct SqliteStore {
    path: PathBuf,
    /// Writes waiting for the writer thread, which runs them one after another.
    queue: Arc<WriteQueue>,
    /// The writer thread (joined when the store is dropped).
    writer_thread: Option<std::thread::JoinHandle<()>>,
    readers: Mutex<ReaderPool>,
    max_readers: usize,
    /// Held for its `Drop`, which stops the checkpoint thread.
    _checkpointer: Checkpointer,
}

thread_local! {
    /// Set on the writer thread: a write from inside a write would wait for itself.
    static ON_WRITER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

thread_local! {
    static HOLDING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// The one writer connection and the batch it has open (group commit, see [`SqliteStore::write`]).
/// Owned by the writer thread.
struct Writer {
    conn: Connection,
    /// Frames in the write-ahead log at the last checkpoint (the checkpoint thread's or the
    /// writer's): the log's length. (Not the file's size: the file keeps its size when the log
    /// starts again from its beginning.)
    wal_frames: Arc<AtomicI64>,
    wal_path: PathBuf,
    /// The log's file size limit (`StoreOptions::sqlite_wal_limit_mb`, bytes).
    wal_limit: u64,
    /// Number of the current (or last) batch.
    batch: u64,
    /// A batch transaction is open.
    open: bool,
    /// Writes in the open batch that succeeded (their savepoints released).
    members: usize,
    /// Rows written once per batch, just before it commits.
    deferred: Deferred,
}

impl Writer {
    /// The log length (frames of 4 KiB pages) from which the writer finishes the checkpoint
    /// itself: four fifths of the limit.
    fn checkpoint_frames(&self) -> i64 {
        (self.wal_limit / 4096 * 4 / 5) as i64
    }
}

/// Copies the write-ahead log back into the database file from a thread of its own, so that no
/// commit pays for it (SQLite's automatic checkpoint runs inside the commit that crosses the
/// threshold). Passive: it never blocks readers or the writer. Stops when the store is dropped.
struct Checkpointer {
    stop: std::sync::Arc<(Mutex<bool>, Condvar)>,
}

/// Log file size from which the checkpoint thread runs (SQLite's default threshold is 1,000
/// pages, ~4 MB).
const CHECKPOINT_WAL_BYTES: u64 = 4 * 1024 * 1024;
/// How often the checkpoint thread looks at the log, and how soon it looks again while writes go
/// on (each look copies what was written since the last: a few MB under steady intake).
const CHECKPOINT_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);
const CHECKPOINT_CATCH_UP: std::time::Duration = std::time::Duration::from_millis(5);

/// `PRAGMA wal_checkpoint(PASSIVE)`: the log's length and how much of it has been copied to the
/// database file (frames).
fn checkpoint_passive(c: &Connection) -> rusqlite::Result<(i64, i64)> {
    c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok((r.get(1)?, r.get(2)?)))
}

/// The length of the log that stays after a checkpoint (frames), 0 when it was copied to its end
/// (the next write can start it again).
fn remaining((log, copied): (i64, i64)) -> i64 {
    if copied >= log { 0 } else { log }
}

impl Checkpointer {
    fn start(path: PathBuf, wal_frames: Arc<AtomicI64>) -> Checkpointer {
        let stop = std::sync::Arc::new((Mutex::new(false), Condvar::new()));
        let flag = stop.clone();
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        let spawned = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                let mut conn: Option<Connection> = None;
                let mut pause = CHECKPOINT_PAUSE;
                let mut last = (0, 0);
                loop {
                    let (lock, cv) = &*flag;
                    let stopped = lock.lock().unwrap_or_else(|p| p.into_inner());
                    let (stopped, _) = cv.wait_timeout(stopped, pause).unwrap_or_else(|p| p.into_inner());
                    if *stopped {
                        return;
                    }
                    drop(stopped);
                    pause = CHECKPOINT_PAUSE;
                    if std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) < CHECKPOINT_WAL_BYTES {
                        continue;
                    }
                    if conn.is_none() {
                        conn = Connection::open(&path).ok();
                    }
                    if let Some(c) = &conn {
                        match checkpoint_passive(c) {
                            Ok(now) => {
                                wal_frames.store(remaining(now), Ordering::Relaxed);
                                // Writes are going on (the log moved since the last look): copy
                                // their frames soon, so that what the writer must copy itself to
                                // start the log again stays short (every write waits meanwhile).
                                // Judged by the log moving, not by what stays: a copy to the
                                // log's end says nothing of the writes that follow it.
                                if now != last {
                                    pause = CHECKPOINT_CATCH_UP;
                                }
                                last = now;
                            }
                            Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
                        }
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no checkpoint thread; the log will be copied back when the store closes");
        }
        Checkpointer { stop }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (lock, cv) = &*self.stop;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cv.notify_all();
    }
}

/// Writes handed to the writer thread.
#[derive(Default)]
struct WriteQueue {
    state: Mutex<QueueState>,
    /// Signalled when a write arrives (or the store closes).
    arrived: Condvar,
}

#[derive(Default)]
struct QueueState {
    jobs: std::collections::VecDeque<Box<dyn Job>>,
    /// The writer thread is waiting for work (a submitter must wake it).
    idle: bool,
    stop: bool,
    /// The writer thread has ended (it should not: a bug in this file); writes are refused.
    dead: bool,
}

/// A write as the writer thread sees it (its types erased).
trait Job: Send {
    /// Runs the write on the writer's connection, inside the open batch. True when it succeeded
    /// and waits for the batch's commit; false when it failed (its changes are undone) and may
    /// be finished at once.
    fn run(&mut self, conn: &mut SqliteConn<'_>) -> bool;
    /// The batch's `COMMIT` failed: the write gets this error instead of its result.
    fn commit_failed(&mut self, e: StoreError);
    /// The write panicked: the panic goes on in the caller.
    fn panicked(&self) -> bool;
    /// Hands the outcome to the caller and wakes it. The job must not be touched afterwards (the
    /// caller's stack, which it borrows, may be gone).
    fn finish(self: Box<Self>);
}

/// The caller's side of a write: where the writer thread puts the outcome.
struct Slot<T, E> {
    outcome: Mutex<Option<std::thread::Result<Result<T, E>>>>,
    done: std::sync::atomic::AtomicBool,
}

/// A write as queued: its closure (which borrows the caller's stack, hence the one `unsafe` block
/// in [`SqliteStore::write`]) and the slot the caller waits on (shared, so the job never holds a
/// reference into a stack frame that may be gone).
struct WriteJob<F, T, E: From<StoreError>> {
    f: Option<F>,
    slot: Arc<Slot<T, E>>,
    caller: std::thread::Thread,
    outcome: Option<std::thread::Result<Result<T, E>>>,
    finished: bool,
}

impl<F, T, E: From<StoreError>> WriteJob<F, T, E> {
    fn signal(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        drop(self.f.take());
        let outcome = self.outcome.take().unwrap_or_else(|| {
            Ok(Err(StoreError::Other(
                "the write was not run: the writer stopped".into(),
            )
            .into()))
        });
        *self.slot.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
        self.slot.done.store(true, Ordering::Release);
        // The caller may return from here on (dropping its borrows); `caller` is our own handle.
        self.caller.unpark();
    }
}

/// A job dropped without being finished (the writer thread unwinding) still wakes its caller.
impl<F, T, E: From<StoreError>> Drop for WriteJob<F, T, E> {
    fn drop(&mut self) {
        self.signal();
    }
}

impl<F, T, E> Job for WriteJob<F, T, E>
where
    F: FnOnce(&mut dyn Conn) -> Result<T, E> + Send,
    T: Send,
    E: From<StoreError> + Send,
{
    fn run(&mut self, conn: &mut SqliteConn<'_>) -> bool {
        let Some(f) = self.f.take() else { return false };
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)));
        let ok = matches!(out, Ok(Ok(_)));
        self.outcome = Some(match out {
            Ok(Ok(_)) if conn.failed => Ok(Err(StoreError::Other(
                "a statement failed inside the transaction; rolled back".into(),
            )
            .into())),
            o => o,
        });
        ok && !conn.failed
    }

    fn commit_failed(&mut self, e: StoreError) {
        self.outcome = Some(Ok(Err(e.into())));
    }

    fn panicked(&self) -> bool {
        matches!(self.outcome, Some(Err(_)))
    }

    fn finish(mut self: Box<Self>) {
        self.signal();
    }
}

/// A batch commits once nobody is waiting to join it, or at this many writes.
const MAX_BATCH: usize = 64;

#[derive(Default)]
struct ReaderPool {
    idle: Vec<Connection>,
    /// Reader connections in existence (idle or lent out).
    open: usize,
    /// Callers waiting for a reader, first come first served: a connection given back goes to
    /// the one waiting longest. (With a condition variable, the thread that gave a connection back
    /// and at once asked for one again took it before the waiter it woke, and some waited through
    /// many rounds: the pages' p99.)
    waiters: std::collections::VecDeque<Arc<Handoff>>,
}

/// Where a connection given back is handed to a waiting caller.
#[derive(Default)]
struct Handoff {
    conn: Mutex<Option<Connection>>,
    given: Condvar,
}

/// Page cache of each connection (KiB): the writer holds the working set of a transaction; the
/// readers share the operating system's file cache, so theirs can stay small (server memory).
/// 16 MB for the writer: with 32 MB the server stood at 199–211 MB after the intake benchmark,
/// with 16 MB at 170–184 MB, intake throughput the same within the run's noise (docs/BENCHMARKS.md).
const WRITER_CACHE_KIB: i64 = 16_000;
const READER_CACHE_KIB: i64 = 8_000;

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

    /// The INSERT without its `RETURNING id`, and the connection's last rowid: SQLite runs a
    /// RETURNING clause as a trigger, which makes the INSERT keep a statement journal (a copy of
    /// every page it changes, so that it could be undone alone): 6 % of an import's writer time.
    fn insert_id(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        match sql.trim_end().strip_suffix("RETURNING id") {
            Some(plain) => match self.execute(plain, params)? {
                0 => Err(StoreError::NotFound),
                _ => Ok(self.conn.last_insert_rowid()),
            },
            None => Ok(self.query_one(sql, params)?.i64(0)),
        }
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

fn configure(conn: &Connection, synchronous_full: bool, cache_kib: i64) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(map_err)?;
    conn.set_prepared_statement_cache_capacity(256);
    // Plan without looking at bound values: otherwise SQLite re-prepares a cached statement each
    // time a parameter it planned with changes (measured: a fifth of the 12345 import's time).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(map_err)?;
    let sync = if synchronous_full { "FULL" } else { "NORMAL" };
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = {sync}; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -{cache_kib};"
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
        configure(&writer, opts.sqlite_synchronous_full, WRITER_CACHE_KIB)?;
        // Checkpoints run on their own thread (below), not inside a commit of the writer.
        let wal_limit = opts.sqlite_wal_limit_mb.max(1) * 1024 * 1024;
        // After a checkpoint, the log file is cut back to this size.
        writer
            .execute_batch(&format!(
                "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {wal_limit};"
            ))
            .map_err(map_err)?;
        let wal_frames = Arc::new(AtomicI64::new(0));
        let w = Writer {
            conn: writer,
            wal_frames: wal_frames.clone(),
            wal_path: PathBuf::from(format!("{}-wal", path.display())),
            wal_limit,
            batch: 0,
            open: false,
            members: 0,
            deferred: Deferred::default(),
        };
        let queue = Arc::new(WriteQueue::default());
        let q = queue.clone();
        let writer_thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(w, &q))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteStore {
            queue,
            writer_thread: Some(writer_thread),
            readers: Mutex::new(ReaderPool::default()),
            max_readers: opts.sqlite_readers.max(1),
            _checkpointer: Checkpointer::start(path.clone(), wal_frames),
            path,
        })
    }

    /// A reader connection from the pool. At most `max_readers` are open: more would only compete
    /// for the same cores and each would warm its own page cache (with one connection per request,
    /// 64 concurrent requests took seconds each and the server grew past 3 GB). A caller waits for
    /// a free one; after ten seconds it opens an extra one that is closed after use (and says so in
    /// the log), so that a read nested in another read or in a write can never wait forever.
    fn reader(&self) -> Result<Connection> {
        if HOLDING.with(|h| h.get()) > 0 {
            tracing::warn!(backtrace = %std::backtrace::Backtrace::force_capture(), "nested read");
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.waiters.is_empty()
            && let Some(c) = pool.idle.pop()
        {
            return Ok(c);
        }
        if pool.open < self.max_readers {
            pool.open += 1;
        } else {
            let me = Arc::new(Handoff::default());
            pool.waiters.push_back(me.clone());
            drop(pool);
            let mut slot = me.conn.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if let Some(c) = slot.take() {
                    return Ok(c);
                }
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    break;
                }
                slot = me.given.wait_timeout(slot, left).unwrap_or_else(|p| p.into_inner()).0;
            }
            drop(slot);
            // Ten seconds without a reader: leave the line (unless one was handed over meanwhile)
            // and open an extra one.
            let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = me.conn.lock().unwrap_or_else(|p| p.into_inner()).take() {
                return Ok(c);
            }
            pool.waiters.retain(|w| !Arc::ptr_eq(w, &me));
            tracing::warn!(open = pool.open, "no reader free for 10 s; opening an extra one");
            pool.open += 1;
        }
        let opened = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| StoreError::Unavailable(e.to_string()))
        .and_then(|c| configure(&c, false, READER_CACHE_KIB).map(|()| c));
        if opened.is_err() {
            self.readers.lock().unwrap_or_else(|p| p.into_inner()).open -= 1;
        }
        opened
    }

    fn give_back(&self, c: Connection) {
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.open > self.max_readers {
            pool.open -= 1;
        } else if let Some(w) = pool.waiters.pop_front() {
            // Handed over under the pool's lock: a waiter that gives up (under the same lock)
            // finds it.
            *w.conn.lock().unwrap_or_else(|p| p.into_inner()) = Some(c);
            w.given.notify_one();
        } else {
            pool.idle.push(c);
        }
    }

    pub(crate) fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let conn = self.reader()?;
        if let Err(e) = conn.execute_batch("BEGIN") {
            self.give_back(conn);
            return Err(map_err(e).into());
        }
        HOLDING.with(|h| h.set(h.get() + 1));
        let out = f(&mut SqliteConn {
            conn: &conn,
            failed: false,
            deferred: Deferred::default(),
        });
        HOLDING.with(|h| h.set(h.get() - 1));
        // A read-only transaction has nothing to keep; end it either way.
        let _ = conn.execute_batch("COMMIT");
        self.give_back(conn);
        out
    }

    /// Runs `f` in a write transaction on the writer thread. Concurrent writes share one
    /// transaction (group commit): each runs inside its own savepoint, so a failing write is undone
    /// alone, and the batch commits when no other write is waiting (or at [`MAX_BATCH`] writes). A
    /// write returns only after the commit of its batch, so nothing acknowledged can be lost; if the
    /// commit fails, every write of the batch gets the error. One commit per batch writes the pages
    /// that many writes share (index pages, the audit head, the search index's segment) once
    /// instead of once per write.
    ///
    /// Why a thread of its own: with the connection behind a mutex, each write had to wake the next
    /// caller in line, which then had to be scheduled before the writer could go on; on two busy
    /// cores a third of the writer's time went to these hand-overs (docs/BENCHMARKS.md). The writer
    /// thread runs the queued writes back to back; callers sleep until their batch has committed.
    pub(crate) fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut dyn Conn) -> Result<T, E> + Send,
        T: Send,
        E: From<StoreError> + Send,
    {
        assert!(
            !ON_WRITER.with(|w| w.get()),
            "a store write inside another write would wait for itself"
        );
        let slot = Arc::new(Slot {
            outcome: Mutex::new(None),
            done: std::sync::atomic::AtomicBool::new(false),
        });
        let job: Box<dyn Job + '_> = Box::new(WriteJob {
            f: Some(f),
            slot: slot.clone(),
            caller: std::thread::current(),
            outcome: None,
            finished: false,
        });
        // SAFETY: the job's closure `f` borrows from its caller's stack. This function does not
        // return (and cannot unwind: nothing below panics) until the job has signalled `done`,
        // which it does only after dropping `f` (`WriteJob::signal`: run or not, `f` is gone
        // first); a job that is never run signals when it is dropped — queued when the writer
        // thread ended, or refused here.
        #[allow(unsafe_code)]
        let job: Box<dyn Job + 'static> =
            unsafe { std::mem::transmute::<Box<dyn Job + '_>, Box<dyn Job + 'static>>(job) };
        {
            let mut q = self.queue.state.lock().unwrap_or_else(|p| p.into_inner());
            if q.dead {
                drop(q);
                // Dropping the job finishes it with an error, which is read below.
                drop(job);
            } else {
                q.jobs.push_back(job);
                if q.idle {
                    q.idle = false;
                    self.queue.arrived.notify_one();
                }
            }
        }
        while !slot.done.load(Ordering::Acquire) {
            std::thread::park();
        }
        let outcome = slot
            .outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or_else(|| Ok(Err(StoreError::Other("the write was not run".into()).into())));
        match outcome {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    pub(crate) fn backup(&self, dest: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        let src = self.reader()?;
        let out = copy_to(&src, dest, progress);
        self.give_back(src);
        out
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        {
            let mut q = self.queue.state.lock().unwrap_or_else(|p| p.into_inner());
            q.stop = true;
            self.queue.arrived.notify_one();
        }
        if let Some(t) = self.writer_thread.take() {
            let _ = t.join();
        }
    }
}

/// The writer thread: runs queued writes one after another in batches, commits a batch when no
/// write is waiting (or it is full), then wakes its writes. Ends when the store is dropped, after
/// the writes queued before.
fn writer_loop(mut w: Writer, queue: &WriteQueue) {
    ON_WRITER.with(|f| f.set(true));
    // Should this thread end by a panic, the writes queued and to come are refused, not left
    // waiting (the batch's own writes are woken as their jobs are dropped).
    struct Dead<'a>(&'a WriteQueue);
    impl Drop for Dead<'_> {
        fn drop(&mut self) {
            let mut q = self.0.state.lock().unwrap_or_else(|p| p.into_inner());
            q.dead = true;
            let jobs = std::mem::take(&mut q.jobs);
            drop(q);
            drop(jobs);
        }
    }
    let _dead = Dead(queue);
    let mut batch: Vec<Box<dyn Job>> = Vec::new();
    loop {
        let next = {
            let mut q = queue.state.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if let Some(j) = q.jobs.pop_front() {
                    break Some(j);
                }
                if w.open {
                    break None;
                }
                if q.stop {
                    return;
                }
                q.idle = true;
                q = queue.arrived.wait(q).unwrap_or_else(|p| p.into_inner());
            }
        };
        match next {
            Some(job) => {
                run_job(&mut w, job, &mut batch);
                if w.members >= MAX_BATCH {
                    end_batch(&mut w, &mut batch);
                }
            }
            // Nobody waits to join the open batch: commit it.
            None => end_batch(&mut w, &mut batch),
        }
    }
}

/// Runs one write inside the open batch (opening one if needed).
fn run_job(w: &mut Writer, mut job: Box<dyn Job>, batch: &mut Vec<Box<dyn Job>>) {
    if !w.open {
        if let Err(e) = w.conn.execute_batch("BEGIN IMMEDIATE") {
            job.commit_failed(map_err(e));
            job.finish();
            return;
        }
        w.open = true;
        w.batch += 1;
        w.members = 0;
        w.deferred = Deferred::default();
    }
    let before = w.deferred.clone();
    // The first write of a batch has the transaction to itself and needs no savepoint: if it
    // fails, the whole transaction goes. (A savepoint around a long write, such as an import,
    // also makes every statement in it slower.)
    let alone = w.members == 0;
    if !alone && let Err(e) = w.conn.execute_batch("SAVEPOINT jz_write") {
        job.commit_failed(map_err(e));
        job.finish();
        return;
    }
    let mut sc = SqliteConn {
        conn: &w.conn,
        failed: false,
        deferred: std::mem::take(&mut w.deferred),
    };
    let ok = job.run(&mut sc);
    let deferred = sc.deferred;
    let released = match (ok, alone) {
        (true, true) => Ok(()),
        (true, false) => w.conn.execute_batch("RELEASE jz_write").map_err(map_err),
        (false, _) => Err(StoreError::Other(String::new())),
    };
    match released {
        Ok(()) => {
            w.deferred = deferred;
            w.members += 1;
            batch.push(job);
        }
        Err(e) => {
            if alone {
                let _ = w.conn.execute_batch("ROLLBACK");
                w.open = false;
                w.deferred = Deferred::default();
            } else {
                let _ = w.conn.execute_batch("ROLLBACK TO jz_write; RELEASE jz_write");
                w.deferred = before;
            }
            if ok {
                // It succeeded but its savepoint could not be released.
                job.commit_failed(e);
            }
            if job.panicked() && !alone {
                // A write that panicked may have left the batch's in-memory state (counters,
                // audit head) half changed: the whole batch goes.
                let _ = w.conn.execute_batch("ROLLBACK");
                w.open = false;
                w.members = 0;
                w.deferred = Deferred::default();
                for mut other in batch.drain(..) {
                    other.commit_failed(StoreError::Other(
                        "another write of the same transaction panicked; rolled back".into(),
                    ));
                    other.finish();
                }
            }
            job.finish();
        }
    }
}

/// Commits the open batch (rolls back an empty one) and wakes its writes; then, when the log
/// has grown long, copies it back into the database.
fn end_batch(w: &mut Writer, batch: &mut Vec<Box<dyn Job>>) {
    if w.open {
        let result = if w.members == 0 {
            w.conn.execute_batch("ROLLBACK").map_err(map_err)
        } else {
            let mut sc = SqliteConn {
                conn: &w.conn,
                failed: false,
                deferred: std::mem::take(&mut w.deferred),
            };
            Deferred::flush(&mut sc).and_then(|()| w.conn.execute_batch("COMMIT").map_err(map_err))
        };
        if result.is_err() {
            let _ = w.conn.execute_batch("ROLLBACK");
        }
        w.open = false;
        w.members = 0;
        w.deferred = Deferred::default();
        for mut job in batch.drain(..) {
            if let Err(e) = &result {
                job.commit_failed(e.clone());
            }
            job.finish();
        }
    }
    // The checkpoint thread copies the log while writes go on (every few milliseconds), but a
    // log copied to its end starts again only at a write that begins after that copy with no
    // reader still on the old log, which under steady writing never comes: the log would only
    // grow. So when it is long, the writer copies the (short) rest itself, between batches, and
    // the next write starts the log again; every write waits meanwhile (6–18 ms with the
    // default limit, once every 1–2 s of steady intake; docs/BENCHMARKS.md, stop 11). The
    // longer the limit, the rarer that wait. Judged by the log's length at the last checkpoint,
    // not by the file's size, which stays after the log starts again (by size, the writer
    // checkpointed after every batch); a file longer than its limit means the log has not started
    // again since it grew past it (a restart cuts the file back to the limit): a burst faster
    // than the checkpoint thread. Past twice the limit, the checkpoint waits for one the thread
    // may be running (a passive one gives up at once) and for readers, and makes the next write
    // start the log again. Below that it is passive: it copies what the thread has not, and costs
    // nothing while that thread is copying.
    let size = std::fs::metadata(&w.wal_path).map(|m| m.len()).unwrap_or(0);
    let burst = size > 2 * w.wal_limit;
    let started = std::time::Instant::now();
    let frames = w.wal_frames.load(Ordering::Relaxed);
    if burst {
        match w
            .conn
            .query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0))
        {
            Ok(_) => w.wal_frames.store(0, Ordering::Relaxed),
            Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
        }
    } else if frames > w.checkpoint_frames() || size > w.wal_limit {
        match checkpoint_passive(&w.conn) {
            Ok(now) => w.wal_frames.store(remaining(now), Ordering::Relaxed),
            Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
        }
    } else {
        return;
    }
    // Every write waits while the writer checkpoints: how long, for whoever tunes the limits.
    tracing::debug!(
        burst,
        frames,
        ms = started.elapsed().as_millis() as u64,
        "writer checkpoint"
    );
}

fn copy_to(src: &Connection, dest: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    let mut dst = Connection::open(dest).map_err(|e| StoreError::Unavailable(format!("{}: {e}", dest.display())))?;
    {
        let b = rusqlite::backup::Backup::new(src, &mut dst).map_err(map_err)?;
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
    dst.execute_batch("PRAGMA journal_mode = DELETE;").map_err(map_err)
}
