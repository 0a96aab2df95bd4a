//! PostgreSQL through the synchronous `postgres` client, with a small pool and a per-connection
//! prepared-statement cache.

use crate::{Backend, Conn, Deferred, Result, Row, StoreError, StoreOptions, Value, redact_url};
use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, NoTls, Statement};
use std::collections::HashMap;
use std::error::Error;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

type BoxErr = Box<dyn Error + Sync + Send>;

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxErr> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => (*v as i16).to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::INT8 => v.to_sql(ty, out),
                Type::BOOL => (*v != 0).to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => v.to_string().as_str().to_sql(ty, out),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                Type::FLOAT8 => v.to_sql(ty, out),
                _ => v.to_string().as_str().to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Bool(b) => match *ty {
                Type::INT2 | Type::INT4 | Type::INT8 => Value::Int(*b as i64).to_sql(ty, out),
                _ => b.to_sql(ty, out),
            },
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxErr> {
        Ok(match *ty {
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)? as i64),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)? as i64),
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::OID => Value::Int(u32::from_sql(ty, raw)? as i64),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)? as f64),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::BYTEA => Value::Blob(<Vec<u8>>::from_sql(ty, raw)?),
            _ => Value::Text(String::from_sql(ty, raw).map_err(|_| format!("unsupported column type {ty}"))?),
        })
    }

    fn from_sql_null(_ty: &Type) -> std::result::Result<Self, BoxErr> {
        Ok(Value::Null)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

fn map_err(e: postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    if let Some(db) = e.as_db_error() {
        let what = match (db.constraint(), db.detail()) {
            (Some(c), Some(d)) => format!("{c}: {d}"),
            (Some(c), None) => c.to_string(),
            (None, _) => db.message().to_string(),
        };
        let code = db.code();
        return if *code == SqlState::UNIQUE_VIOLATION {
            StoreError::Conflict(what)
        } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
            StoreError::ForeignKey(what)
        } else if *code == SqlState::CHECK_VIOLATION
            || *code == SqlState::NOT_NULL_VIOLATION
            || *code == SqlState::RAISE_EXCEPTION
        {
            StoreError::Refused(what)
        } else {
            StoreError::Other(format!("{}: {}", code.code(), db.message()))
        };
    }
    if e.is_closed() {
        return StoreError::Unavailable(e.to_string());
    }
    StoreError::Other(e.to_string())
}

struct PgConn {
    client: Client,
    cache: HashMap<String, Statement>,
    /// A statement failed in the current transaction (PostgreSQL has aborted it).
    failed: bool,
    deferred: Deferred,
    /// Lent to `PgStore::read`: statements run without a transaction and must only read
    /// (checked in debug builds, so every test on PostgreSQL checks every read).
    reading: bool,
    /// Rows kept by `insert_later`, in order: (table, columns, values).
    later: Vec<(&'static str, &'static str, Vec<Value>)>,
}

/// Rows `insert_later` keeps before it sends them anyway (a statement of a few thousand
/// parameters).
const LATER_MAX: usize = 256;

impl PgConn {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql).map_err(map_err)?;
        if self.cache.len() > 512 {
            self.cache.clear();
        }
        self.cache.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

impl Conn for PgConn {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.check_reads_only(sql);
        self.before(sql)?;
        let r = self.run_execute(sql, params);
        self.note(r)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        self.check_reads_only(sql);
        self.before(sql)?;
        let r = self.run_query(sql, params);
        self.note(r)
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.check_reads_only(sql);
        self.flush_later(None)?;
        let r = self.client.batch_execute(sql).map_err(map_err);
        self.note(r)
    }

    fn deferred(&mut self) -> &mut Deferred {
        &mut self.deferred
    }

    fn insert_later(&mut self, table: &'static str, columns: &'static str, values: Vec<Value>) -> Result<()> {
        debug_assert!(crate::LATER_TABLES.contains(&table), "{table} is not written later");
        debug_assert!(!self.reading, "an insert inside Store::read");
        self.later.push((table, columns, values));
        if self.later.len() >= LATER_MAX {
            self.flush_later(None)?;
        }
        Ok(())
    }

    fn execute_after_later(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        if self.later.is_empty() {
            return self.execute(sql, params);
        }
        self.flush_later(Some((sql, params)))
    }
}

/// The first six characters of a statement, upper-cased (`SELECT`, `INSERT`, `UPDATE`, `WITH …`).
fn statement_head(sql: &str) -> String {
    sql.trim_start().get(..6).unwrap_or("").to_ascii_uppercase()
}

/// Parameters as the client takes them.
fn sql_params(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// `sql` with its placeholders `$n` renumbered from `$(n + by)`.
fn shift_placeholders(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        out.push(ch);
        if ch == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let mut n = 0usize;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n * 10 + d as usize;
                chars.next();
            }
            out.push_str(&(n + by).to_string());
        }
    }
    out
}

impl PgConn {
    /// Sends the rows `insert_later` kept when `sql` could see them: a statement that is not an
    /// `INSERT` or a `SELECT` (an update or delete may fire checks or triggers), or one that names
    /// a table they go to.
    fn before(&mut self, sql: &str) -> Result<()> {
        if self.later.is_empty() {
            return Ok(());
        }
        let head = statement_head(sql);
        let blind = (head == "INSERT" || head == "SELECT") && !self.later.iter().any(|(t, _, _)| sql.contains(t));
        if blind {
            Ok(())
        } else {
            self.flush_later(None).map(|_| ())
        }
    }

    /// Sends the kept rows as one statement — one multi-row `INSERT` per table, all but the last
    /// (or all, with `then`) as `WITH` clauses — followed by `then` in the same statement.
    /// Returns the rows `then` changed.
    fn flush_later(&mut self, then: Option<(&str, &[Value])>) -> Result<u64> {
        if self.later.is_empty() {
            return match then {
                Some((sql, params)) => self.execute(sql, params),
                None => Ok(0),
            };
        }
        let rows = std::mem::take(&mut self.later);
        // One INSERT per table and column list, in the order they first came; rows in order.
        let mut groups: Vec<(&'static str, &'static str, Vec<Vec<Value>>)> = Vec::new();
        for (table, columns, values) in rows {
            match groups.iter_mut().find(|(t, c, _)| *t == table && *c == columns) {
                Some(g) => g.2.push(values),
                None => groups.push((table, columns, vec![values])),
            }
        }
        let mut params: Vec<Value> = Vec::new();
        let mut inserts: Vec<String> = Vec::new();
        for (table, columns, rows) in groups {
            let width = rows[0].len();
            inserts.push(crate::values_insert(
                table,
                columns,
                rows.len(),
                width,
                params.len() + 1,
            ));
            params.extend(rows.into_iter().flatten());
        }
        let last = match then {
            Some((sql, tail)) => {
                let shifted = shift_placeholders(sql, params.len());
                params.extend(tail.iter().cloned());
                shifted
            }
            None => inserts.pop().expect("a group"),
        };
        let sql = if inserts.is_empty() {
            last
        } else {
            let with: Vec<String> = inserts
                .iter()
                .enumerate()
                .map(|(i, s)| format!("later{i} AS ({s})"))
                .collect();
            format!("WITH {} {last}", with.join(", "))
        };
        // The small shapes (a registration's) recur and are kept prepared; a bulk load's vary.
        let r = if params.len() <= 64 {
            self.run_execute(&sql, &params)
        } else {
            self.client.execute(sql.as_str(), &sql_params(&params)).map_err(map_err)
        };
        self.note(r)
    }

    /// A read runs its statements one by one, each committed on its own: a write there would not
    /// be undone with the others if the read failed.
    fn check_reads_only(&self, sql: &str) {
        if cfg!(debug_assertions) && self.reading {
            let head = statement_head(sql);
            assert!(
                head == "SELECT" || head.starts_with("WITH") || head.starts_with("SHOW"),
                "a write inside Store::read: {sql}"
            );
        }
    }

    fn note<T>(&mut self, r: Result<T>) -> Result<T> {
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn run_execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let stmt = self.statement(sql)?;
        self.client.execute(&stmt, &sql_params(params)).map_err(map_err)
    }

    fn run_query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let rows = self.client.query(&stmt, &sql_params(params)).map_err(map_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut vals = Vec::with_capacity(r.len());
            for i in 0..r.len() {
                vals.push(r.try_get::<_, Value>(i).map_err(map_err)?);
            }
            out.push(Row(vals));
        }
        Ok(out)
    }
}

/// A connection lent to a closure: if the closure panics, the connection goes with the unwinding
/// and the pool counts it as gone (else the pool would wait for it forever once all were lost).
struct Lent<'a>(&'a PgStore);

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        self.0.discard();
    }
}

struct Pool {
    idle: Vec<PgConn>,
    total: usize,
}

pub(crate) struct PgStore {
    config: Config,
    url_redacted: String,
    pool: Mutex<Pool>,
    freed: Condvar,
    max: usize,
}

impl Drop for PgStore {
    /// Closes the idle connections on a thread of their own: the synchronous client closes a
    /// connection by blocking on a small runtime of its own, which panics on a thread that is
    /// driving an async runtime — where the last clone of the store can go (a background task
    /// cancelled at shutdown), and a panic in a destructor there aborts the process.
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.pool.get_mut().unwrap_or_else(|p| p.into_inner()).idle);
        if idle.is_empty() {
            return;
        }
        if let Ok(closing) = std::thread::Builder::new()
            .name("pg-close".into())
            .spawn(move || drop(idle))
        {
            let _ = closing.join();
        }
    }
}

impl PgStore {
    pub(crate) fn open(url: &str, opts: &StoreOptions) -> Result<PgStore> {
        let mut config: Config = url
            .parse()
            .map_err(|e| StoreError::Other(format!("bad PostgreSQL URL {}: {e}", redact_url(url))))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            config.application_name("jingzhi");
        }
        // Sent with each connection's start-up (no round trip), after any options of the URL.
        let parallel = format!("-c max_parallel_workers_per_gather={}", opts.pg_parallel_workers);
        let options = match config.get_options() {
            Some(o) if !o.trim().is_empty() => format!("{o} {parallel}"),
            _ => parallel,
        };
        config.options(&options);
        let store = PgStore {
            config,
            url_redacted: redact_url(url),
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                total: 0,
            }),
            freed: Condvar::new(),
            // At least two: a 12345 import reads on a second connection beside its write.
            max: opts.pg_pool_size.max(2),
        };
        // Fail early with a clear message when the server is not there.
        let c = store.connect()?;
        store.pool.lock().unwrap_or_else(|p| p.into_inner()).total += 1;
        store.put(c);
        Ok(store)
    }

    fn connect(&self) -> Result<PgConn> {
        let client = self
            .config
            .connect(NoTls)
            .map_err(|e| StoreError::Unavailable(format!("{}: {e}", self.url_redacted)))?;
        Ok(PgConn {
            client,
            cache: HashMap::new(),
            failed: false,
            deferred: Deferred::default(),
            reading: false,
            later: Vec::new(),
        })
    }

    fn take(&self) -> Result<PgConn> {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(c) = pool.idle.pop() {
                if c.client.is_closed() {
                    pool.total -= 1;
                    continue;
                }
                return Ok(c);
            }
            if pool.total < self.max {
                pool.total += 1;
                drop(pool);
                return self.connect().inspect_err(|_| {
                    self.pool.lock().unwrap_or_else(|p| p.into_inner()).total -= 1;
                });
            }
            let (p, timeout) = self
                .freed
                .wait_timeout(pool, Duration::from_secs(30))
                .unwrap_or_else(|p| p.into_inner());
            pool = p;
            if timeout.timed_out() && pool.idle.is_empty() {
                return Err(StoreError::Unavailable("connection pool exhausted for 30 s".into()));
            }
        }
    }

    fn put(&self, c: PgConn) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if c.client.is_closed() {
            pool.total -= 1;
        } else {
            pool.idle.push(c);
        }
        self.freed.notify_one();
    }

    fn discard(&self) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        pool.total -= 1;
        self.freed.notify_one();
    }

    /// Runs a maintenance statement outside any transaction (`VACUUM` refuses to run inside one).
    pub(crate) fn maintenance(&self, sql: &str) -> Result<()> {
        let mut c = self.take()?;
        match c.client.batch_execute(sql) {
            Ok(()) => {
                self.put(c);
                Ok(())
            }
            Err(e) => {
                let err = map_err(e);
                self.put(c);
                Err(err)
            }
        }
    }

    pub(crate) fn close_idle(&self) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        let n = pool.idle.len();
        pool.idle.clear();
        pool.total = pool.total.saturating_sub(n);
    }

    /// Runs `f` without a transaction: each statement sees what was committed when it began,
    /// which is all a `READ COMMITTED` transaction gave reads, without its `BEGIN` and `COMMIT`
    /// (two round trips more than a one-statement read needs).
    pub(crate) fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, E>) -> Result<T, E> {
        let mut c = self.take()?;
        let lent = Lent(self);
        c.failed = false;
        c.deferred = Deferred::default();
        c.reading = true;
        c.later.clear();
        let out = f(&mut c);
        c.reading = false;
        std::mem::forget(lent);
        self.put(c);
        out
    }

    pub(crate) fn transaction<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut c = self.take()?;
        if let Err(e) = c.client.batch_execute("BEGIN") {
            self.discard();
            return Err(map_err(e).into());
        }
        c.failed = false;
        c.deferred = Deferred::default();
        c.later.clear();
        let lent = Lent(self);
        let mut out = f(&mut c);
        std::mem::forget(lent);
        if out.is_ok()
            && !c.failed
            && let Err(e) = Deferred::flush(&mut c).and_then(|()| c.flush_later(None).map(|_| ()))
        {
            out = Err(e.into());
        }
        // Rows kept for a transaction that rolls back go with it.
        c.later.clear();
        if out.is_ok() && c.failed {
            out = Err(StoreError::Other("a statement failed inside the transaction; rolled back".into()).into());
        }
        let end = if out.is_ok() { "COMMIT" } else { "ROLLBACK" };
        match c.client.batch_execute(end) {
            Ok(()) => {
                self.put(c);
                out
            }
            Err(e) => {
                self.discard();
                match out {
                    Ok(_) => Err(map_err(e).into()),
                    Err(orig) => Err(orig),
                }
            }
        }
    }
}
