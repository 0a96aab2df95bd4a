//! Clues, their timeline, attachments, labels; the matter catalogue, boundaries and road rules;
//! counters.

use super::limit_offset;
use crate::{Conn, Result, Row, StoreError, Value, dialect, params};
use jiff::Timestamp;
use jingzhi_domain::clue::{Channel, Clue, ClueStatus, Disposal, Verification, WorkOrderType};
use jingzhi_domain::geo::LocateMethod;
use std::sync::LazyLock;

// ---------------------------------------------------------------- counters

/// The next value of a counter (1, 2, 3…), in the caller's transaction: gapless, because a
/// rollback returns the value, and serialised per (name, scope) by the row lock of the upsert.
/// The first call in a transaction upserts the row (and so locks it); later calls count in memory
/// and the final value is written at commit (crate::Deferred).
pub fn next_counter(c: &mut dyn Conn, name: &str, scope: &str) -> Result<i64> {
    let key = (name.to_string(), scope.to_string());
    if let Some((_, now)) = c.deferred().counters.get_mut(&key) {
        *now += 1;
        return Ok(*now);
    }
    let v = c.scalar_i64(
        "INSERT INTO counter (name, scope, value) VALUES ($1, $2, 1) \
         ON CONFLICT (name, scope) DO UPDATE SET value = counter.value + 1 RETURNING value",
        params![name, scope],
    )?;
    c.deferred().counters.insert(key, (v, v));
    Ok(v)
}

// ---------------------------------------------------------------- clues

const COLS: &str = "id, no, channel, source_ref, work_order_type, status, description, address, lng, lat, compound_id, \
    place_key, reporter_name, reporter_phone, anonymous, reporter_org_id, reporter_user_id, discovered_at, under_construction, \
    matter_code, matter_confirmed, classification, suggested_department, street_code, grid_code, locate_method, \
    locate_reason, assigned_org_id, transferred_to_org_id, handler_user_id, duplicate_of, repeat_count, verification, \
    verification_note, disposal, disposal_note, recheck_date, reply, received_at, replied_at, closed_at, created_at, \
    updated_at, search_text";

/// A clue from its row, its texts moved out rather than copied.
fn from_owned_row(mut r: Row) -> Clue {
    Clue {
        id: r.i64(0),
        no: r.take_text(1),
        channel: Channel::from_code(r.str(2)).unwrap_or(Channel::PublicReport),
        source_ref: r.take_opt_text(3),
        work_order_type: WorkOrderType::from_code(r.str(4)),
        status: ClueStatus::from_code(r.str(5)).unwrap_or(ClueStatus::Registered),
        description: r.take_text(6),
        address: r.take_text(7),
        lng: r.f64(8),
        lat: r.f64(9),
        compound_id: r.opt_i64(10),
        place_key: r.take_opt_text(11),
        reporter_name: r.take_opt_text(12),
        reporter_phone: r.take_opt_text(13),
        anonymous: r.bool(14),
        reporter_org_id: r.opt_i64(15),
        reporter_user_id: r.opt_i64(16),
        discovered_at: r.opt_ts(17),
        under_construction: r.bool(18),
        matter_code: r.take_text(19),
        matter_confirmed: r.bool(20),
        classification: r.take_text(21),
        suggested_department: r.take_opt_text(22),
        street_code: r.take_opt_text(23),
        grid_code: r.take_opt_text(24),
        locate_method: LocateMethod::from_code(r.str(25)).unwrap_or(LocateMethod::Fallback),
        locate_reason: r.take_text(26),
        assigned_org_id: r.opt_i64(27),
        transferred_to_org_id: r.opt_i64(28),
        handler_user_id: r.opt_i64(29),
        duplicate_of: r.opt_i64(30),
        repeat_count: r.i64(31),
        verification: Verification::from_code(r.str(32)),
        verification_note: r.take_opt_text(33),
        disposal: Disposal::from_code(r.str(34)),
        disposal_note: r.take_opt_text(35),
        recheck_date: r.opt_date(36),
        reply: r.take_opt_text(37),
        received_at: r.ts(38),
        replied_at: r.opt_ts(39),
        closed_at: r.opt_ts(40),
        created_at: r.ts(41),
        updated_at: r.ts(42),
        search_text: r.take_text(43),
    }
}

fn values(k: &Clue) -> Vec<Value> {
    vec![
        k.no.clone().into(),
        k.channel.code().into(),
        k.source_ref.clone().into(),
        k.work_order_type.map(|t| t.code()).into(),
        k.status.code().into(),
        k.description.clone().into(),
        k.address.clone().into(),
        k.lng.into(),
        k.lat.into(),
        k.compound_id.into(),
        k.place_key.clone().into(),
        k.reporter_name.clone().into(),
        k.reporter_phone.clone().into(),
        k.anonymous.into(),
        k.reporter_org_id.into(),
        k.reporter_user_id.into(),
        k.discovered_at.into(),
        k.under_construction.into(),
        k.matter_code.clone().into(),
        k.matter_confirmed.into(),
        k.classification.clone().into(),
        k.suggested_department.clone().into(),
        k.street_code.clone().into(),
        k.grid_code.clone().into(),
        k.locate_method.code().into(),
        k.locate_reason.clone().into(),
        k.assigned_org_id.into(),
        k.transferred_to_org_id.into(),
        k.handler_user_id.into(),
        k.duplicate_of.into(),
        k.repeat_count.into(),
        k.verification.map(|v| v.code()).into(),
        k.verification_note.clone().into(),
        k.disposal.map(|d| d.code()).into(),
        k.disposal_note.clone().into(),
        k.recheck_date.into(),
        k.reply.clone().into(),
        k.received_at.into(),
        k.replied_at.into(),
        k.closed_at.into(),
        k.created_at.into(),
        k.updated_at.into(),
        k.search_text.clone().into(),
    ]
}

/// Inserts a clue (its `id` is ignored) and returns the new id. It enters the search index when
/// the transaction commits, with its token string and status as they are then (SQLite FTS5; on
/// PostgreSQL the GIN expression index follows the table by itself).
pub fn insert(c: &mut dyn Conn, k: &Clue) -> Result<i64> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let cols = &COLS["id, ".len()..];
        let placeholders: Vec<String> = (1..=cols.split(", ").count()).map(|i| format!("${i}")).collect();
        format!(
            "INSERT INTO clue ({cols}) VALUES ({}) RETURNING id",
            placeholders.join(", ")
        )
    });
    let id = c.insert_id(&SQL, &values(k))?;
    if c.backend() == crate::Backend::Sqlite {
        c.deferred().fts.insert(id);
    }
    Ok(id)
}

/// What the full-text index holds for a clue: its token string and its status as one more token
/// (`ztregistered`, …), so that a search inside a queue tab asks the index for both. SQLite's
/// FTS5 `clue_fts` is written from it here (and by migration 0009); PostgreSQL's migration 0010
/// computes the stored `clue.search_vector` from the same text. [`status_token`] gives a status's
/// token.
pub const FTS_TEXT: &str = "search_text || ' zt' || replace(status, '_', '')";

/// The index token of a status (see [`FTS_TEXT`]).
pub fn status_token(s: ClueStatus) -> String {
    format!("zt{}", s.code().replace('_', ""))
}

/// Adds the entries of the clues inserted in this transaction, from their rows as they are at
/// commit, in as few statements as possible: FTS5 writes its pending terms out at the end of every
/// statement, so one statement per clue wrote the index once per clue of a batch.
pub(crate) fn index_at_commit(c: &mut dyn Conn, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(500) {
        let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let p: Vec<Value> = chunk.iter().map(|i| (*i).into()).collect();
        c.execute(
            &format!(
                "INSERT INTO clue_fts (rowid, search_text) SELECT id, {FTS_TEXT} FROM clue WHERE id IN ({})",
                ph.join(", ")
            ),
            &p,
        )?;
    }
    Ok(())
}

/// Adds a clue's entry to the index (`$1`: its id), from the row as it is.
static FTS_INSERT: LazyLock<String> = LazyLock::new(|| {
    format!("INSERT INTO clue_fts (rowid, search_text) SELECT id, {FTS_TEXT} FROM clue WHERE id = $1")
});

/// Removes a clue's entry from the index (`$1`: its id): run before the row changes.
static FTS_DELETE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO clue_fts (clue_fts, rowid, search_text) SELECT 'delete', id, {FTS_TEXT} FROM clue WHERE id = $1"
    )
});

/// True when the clue's index entry is still to be written at commit (it was added in this
/// transaction): changes to it need no index work now.
fn fts_pending(c: &mut dyn Conn, id: i64) -> bool {
    c.deferred().fts.contains(&id)
}

/// Changes a clue's token string and its entry in the full-text index. (`update` leaves the
/// token string alone: the index must change with it.)
pub fn set_search_text(c: &mut dyn Conn, id: i64, text: &str) -> Result<()> {
    let reindex = c.backend() == crate::Backend::Sqlite && !fts_pending(c, id);
    if reindex {
        c.execute(&FTS_DELETE, params![id])?;
    }
    let n = c.execute("UPDATE clue SET search_text = $2 WHERE id = $1", params![id, text])?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    if reindex {
        c.execute(&FTS_INSERT, params![id])?;
    }
    Ok(())
}

/// Writes a clue back: the columns whose values differ from the stored row (SQLite rewrites
/// the index entries of every column named in an UPDATE, changed or not). The token string is
/// left alone: it changes only with the search index ([`set_search_text`]). A new status moves
/// the clue's status token in the SQLite full-text index.
pub fn update(c: &mut dyn Conn, k: &Clue) -> Result<()> {
    let stored = get(c, k.id)?;
    let reindex = c.backend() == crate::Backend::Sqlite && stored.status != k.status && !fts_pending(c, k.id);
    let old = values(&stored);
    let new = values(k);
    let mut sets = Vec::new();
    let mut p = vec![Value::Int(k.id)];
    for ((col, o), n) in COLS["id, ".len()..].split(", ").zip(old).zip(new) {
        let col = col.trim();
        if col != "search_text" && o != n {
            p.push(n);
            sets.push(format!("{col} = ${}", p.len()));
        }
    }
    if sets.is_empty() {
        return Ok(());
    }
    if reindex {
        c.execute(&FTS_DELETE, params![k.id])?;
    }
    c.execute(&format!("UPDATE clue SET {} WHERE id = $1", sets.join(", ")), &p)?;
    if reindex {
        c.execute(&FTS_INSERT, params![k.id])?;
    }
    Ok(())
}

/// Counts one more report of the problem on a primary clue (its other columns, its status and
/// so its search entry stay as they are): one statement, where [`update`] reads the row first.
pub fn count_repeat(c: &mut dyn Conn, id: i64, now: Timestamp) -> Result<()> {
    c.execute(
        "UPDATE clue SET repeat_count = repeat_count + 1, updated_at = $2 WHERE id = $1",
        params![id, now],
    )?;
    Ok(())
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Clue> {
    Ok(from_owned_row(c.query_one(
        &format!("SELECT {COLS} FROM clue WHERE id = $1"),
        params![id],
    )?))
}

/// Row-locks the clue on PostgreSQL until the end of the transaction (SQLite's single writer
/// already serialises).
pub fn get_for_update(c: &mut dyn Conn, id: i64) -> Result<Clue> {
    let sql = format!(
        "SELECT {COLS} FROM clue WHERE id = $1{}",
        dialect::for_update(c.backend())
    );
    Ok(from_owned_row(c.query_one(&sql, params![id])?))
}

pub fn find_by_no(c: &mut dyn Conn, no: &str) -> Result<Option<Clue>> {
    Ok(
        c.query_opt(&format!("SELECT {COLS} FROM clue WHERE no = $1"), params![no])?
            .map(from_owned_row),
    )
}

pub fn find_by_source(c: &mut dyn Conn, channel: Channel, source_ref: &str) -> Result<Option<Clue>> {
    Ok(c.query_opt(
        &format!("SELECT {COLS} FROM clue WHERE channel = $1 AND source_ref = $2"),
        params![channel.code(), source_ref],
    )?
    .map(from_owned_row))
}

/// Whether a clue with this source reference exists on the channel (re-import checks).
pub fn source_exists(c: &mut dyn Conn, channel: Channel, source_ref: &str) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM clue WHERE channel = $1 AND source_ref = $2",
        params![channel.code(), source_ref],
    )?
    .is_some())
}

/// Which of these source references have a clue on the channel (a re-import's look for the rows
/// it has already), in statements of up to 500 references instead of one per row.
pub fn existing_sources(
    c: &mut dyn Conn,
    channel: Channel,
    refs: &[String],
) -> Result<std::collections::HashSet<String>> {
    let mut found = std::collections::HashSet::new();
    for chunk in refs.chunks(500) {
        let ph: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let mut p: Vec<Value> = vec![channel.code().into()];
        p.extend(chunk.iter().map(|r| Value::from(r.clone())));
        for r in c.query(
            &format!(
                "SELECT source_ref FROM clue WHERE channel = $1 AND source_ref IN ({})",
                ph.join(", ")
            ),
            &p,
        )? {
            found.insert(r.text(0));
        }
    }
    Ok(found)
}

/// Which clues a list shows. Scope is expressed by the fields the application fills from the
/// actor's data scope; they combine with AND, and `scope_or` holds OR-ed alternatives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClueFilter {
    pub statuses: Vec<ClueStatus>,
    pub street_code: Option<String>,
    pub assigned_org_id: Option<i64>,
    pub channel: Option<Channel>,
    pub matter_code: Option<String>,
    /// Only clues repeated by others (重复投诉).
    pub repeated_only: bool,
    /// Clues reported by this org unit (property company, grid, department).
    pub reporter_org_id: Option<i64>,
    pub transferred_to: Option<i64>,
    /// Search tokens (all must match), from `jingzhi_domain::search`.
    pub tokens: Vec<String>,
    /// A one-character query: substring match on description and address.
    pub like: Option<String>,
    pub received_from: Option<Timestamp>,
    pub received_before: Option<Timestamp>,
    pub ids: Option<Vec<i64>>,
    /// Only clues with an open clock in this state (`due_soon`, `overdue`).
    pub clock_state: Option<String>,
}

fn where_clause(c: &mut dyn Conn, f: &ClueFilter) -> (String, Vec<Value>) {
    where_clause_for(c, f, SearchVia::Index)
}

/// How a filter's search tokens become SQL.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SearchVia {
    /// Through the full-text index (the matches as a set).
    Index,
    /// Left out, with the statuses: the query matches both in `clue_fts` itself (SQLite,
    /// [`match_value`]).
    Outside,
    /// Tested on each row's token string: for a few rows picked by the other conditions (a
    /// small queue tab), testing them costs less than taking every match of a common word from
    /// the index ([`dialect::search_row_test`]).
    RowTest,
}

/// The full-text query of a filter's tokens; on SQLite also one of the filter's statuses (the
/// index holds each clue's status token, [`FTS_TEXT`]).
fn match_value(b: crate::Backend, f: &ClueFilter) -> String {
    let words = dialect::search_query_value(b, &f.tokens);
    if b != crate::Backend::Sqlite || f.statuses.is_empty() {
        return words;
    }
    let statuses: Vec<String> = f.statuses.iter().map(|s| format!("\"{}\"", status_token(*s))).collect();
    format!("{words} AND ({})", statuses.join(" OR "))
}

fn where_clause_for(c: &mut dyn Conn, f: &ClueFilter, via: SearchVia) -> (String, Vec<Value>) {
    let mut w: Vec<String> = Vec::new();
    let mut p: Vec<Value> = Vec::new();
    let bind = |p: &mut Vec<Value>, v: Value| -> usize {
        p.push(v);
        p.len()
    };
    // A search's statuses are matched in the index with its words (both backends' search index
    // holds each clue's status token), except when each row is tested.
    let statuses_in_index = via != SearchVia::RowTest && !f.tokens.is_empty();
    if !f.statuses.is_empty() && !statuses_in_index {
        let ph: Vec<String> = f
            .statuses
            .iter()
            .map(|s| format!("${}", bind(&mut p, s.code().into())))
            .collect();
        w.push(format!("clue.status IN ({})", ph.join(", ")));
    }
    if let Some(s) = &f.street_code {
        w.push(format!("clue.street_code = ${}", bind(&mut p, s.clone().into())));
    }
    if let Some(o) = f.assigned_org_id {
        w.push(format!("clue.assigned_org_id = ${}", bind(&mut p, o.into())));
    }
    if let Some(ch) = f.channel {
        w.push(format!("clue.channel = ${}", bind(&mut p, ch.code().into())));
    }
    if let Some(m) = &f.matter_code {
        w.push(format!("clue.matter_code = ${}", bind(&mut p, m.clone().into())));
    }
    if f.repeated_only {
        // Through the partial index of repeated clues (a plain `repeat_count > 0` is answered
        // by scanning the open statuses).
        w.push("clue.id IN (SELECT id FROM clue WHERE repeat_count > 0)".into());
    }
    if let Some(o) = f.reporter_org_id {
        w.push(format!("clue.reporter_org_id = ${}", bind(&mut p, o.into())));
    }
    if let Some(o) = f.transferred_to {
        w.push(format!("clue.transferred_to_org_id = ${}", bind(&mut p, o.into())));
    }
    if !f.tokens.is_empty() {
        match via {
            SearchVia::Index => {
                let v = match_value(c.backend(), f);
                let n = bind(&mut p, v.into());
                let s = (c.backend() == crate::Backend::Postgres && !f.statuses.is_empty()).then(|| {
                    let tokens: Vec<String> = f.statuses.iter().map(|s| status_token(*s)).collect();
                    bind(&mut p, dialect::clue_status_query_value(&tokens).into())
                });
                w.push(dialect::clue_search_clause(c.backend(), n, s));
            }
            SearchVia::Outside => {}
            SearchVia::RowTest => {
                for v in dialect::search_row_values(c.backend(), &f.tokens) {
                    let n = bind(&mut p, v.into());
                    w.push(dialect::search_row_test(c.backend(), "clue.search_text", n));
                }
            }
        }
    }
    if let Some(l) = &f.like {
        let n = bind(&mut p, format!("%{l}%").into());
        w.push(format!("(clue.description LIKE ${n} OR clue.address LIKE ${n})"));
    }
    if let Some(t) = f.received_from {
        w.push(format!("clue.received_at >= ${}", bind(&mut p, t.into())));
    }
    if let Some(t) = f.received_before {
        w.push(format!("clue.received_at < ${}", bind(&mut p, t.into())));
    }
    if let Some(ids) = &f.ids {
        if ids.is_empty() {
            w.push("1 = 0".into());
        } else {
            let ph: Vec<String> = ids.iter().map(|i| format!("${}", bind(&mut p, (*i).into()))).collect();
            w.push(format!("clue.id IN ({})", ph.join(", ")));
        }
    }
    if let Some(state) = &f.clock_state {
        let n = bind(&mut p, state.clone().into());
        w.push(format!(
            "clue.id IN (SELECT subject_id FROM clock WHERE state = ${n} AND subject_type = 'clue' AND met_at IS NULL)"
        ));
    }
    let sql = if w.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", w.join(" AND "))
    };
    (sql, p)
}

/// A page of clues: newest received first; search results newest registered first (the order
/// the full-text index can give without sorting every match); the 即将超期/已超期 queues (a clock
/// state) most urgent first, the earliest due.
pub fn list(c: &mut dyn Conn, f: &ClueFilter, limit: i64, offset: i64) -> Result<Vec<Clue>> {
    if !f.tokens.is_empty() {
        return search_list(c, f, limit, offset);
    }
    if f.clock_state.is_some() {
        return clock_list(c, f, limit, offset);
    }
    let (w, p) = where_clause(c, f);
    page_in_order(c, &w, p, "clue.received_at DESC, clue.id DESC", limit, offset)
}

/// The clues with an open clock in a state, in due order: the open clocks walked through the
/// covering index `clock_open_due` (no sorting of the tens of thousands overdue at a million
/// clues), each clue's other conditions checked as it comes, a clue with two such clocks listed at
/// its earliest.
fn clock_list(c: &mut dyn Conn, f: &ClueFilter, limit: i64, offset: i64) -> Result<Vec<Clue>> {
    let state = f.clock_state.clone().unwrap_or_default();
    let rest = ClueFilter {
        clock_state: None,
        ..f.clone()
    };
    let (w, mut p) = where_clause(c, &rest);
    let cond = if w.is_empty() {
        String::new()
    } else {
        format!(" AND {}", &w[" WHERE ".len()..])
    };
    p.push(state.into());
    let s = p.len();
    let from = dialect::open_clocks_by_due_from(c.backend());
    // Enough clock rows to fill the page even when some clues have two clocks in the state.
    // Ties of the due time in the index's own order (rule, clue): ordered by clock id instead,
    // every clock of a due time shared by thousands (deadlines end at a day's end) was read and
    // sorted for each page — 3–5 ms, against 0.5 ms. Nothing after the clue: clocks that tie on
    // all three are the same clue's, listed once whatever their order, and on PostgreSQL the
    // walk then reads the index alone (with the clock id it read every clock's row and sorted
    // each run of ties: 1.6 against 0.3 ms).
    let want = (offset.max(0) + limit.max(1)) * 2 + 10;
    // Without conditions on the clue (a district-wide queue), the walk reads the index alone: the
    // join looked up each clock's clue only to find it there (a page of 已超期 read twice as many
    // clue rows as it shows).
    let join = if cond.is_empty() {
        ""
    } else {
        " JOIN clue ON clue.id = clock.subject_id"
    };
    let ids: Vec<i64> = c
        .query(
            &format!(
                "SELECT clock.subject_id FROM {from}{join} \
                 WHERE clock.subject_type = 'clue' AND clock.state = ${s} AND clock.met_at IS NULL{cond} \
                 ORDER BY clock.due_at, clock.rule_code, clock.subject_id{}",
                limit_offset(want, 0)
            ),
            &p,
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect();
    let mut seen: Vec<i64> = Vec::new();
    for id in ids {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    let page: Vec<i64> = seen
        .into_iter()
        .skip(offset.max(0) as usize)
        .take(limit.max(1) as usize)
        .collect();
    rows_in_order(c, &page)
}

fn search_list(c: &mut dyn Conn, f: &ClueFilter, limit: i64, offset: i64) -> Result<Vec<Clue>> {
    if c.backend() == crate::Backend::Sqlite {
        let ids = sqlite_search_ids(c, f, offset.max(0) + limit.max(0))?;
        let page: Vec<i64> = ids.into_iter().skip(offset.max(0) as usize).collect();
        return rows_in_order(c, &page);
    }
    let (w, p) = where_clause(c, f);
    ids_newest_first(c, &w, p, limit, offset)
}

/// The first `n` matches of a search on SQLite, newest first: the index's matches (the words and
/// the statuses, [`match_value`]) walked in its order, the other conditions checked on each clue,
/// stopping after `n` — no sorting of every match, and no clue read when nothing else is asked.
fn sqlite_search_ids(c: &mut dyn Conn, f: &ClueFilter, n: i64) -> Result<Vec<i64>> {
    let (w, mut p) = where_clause_for(c, f, SearchVia::Outside);
    p.push(match_value(c.backend(), f).into());
    let m = p.len();
    p.push(n.into());
    let sql = if w.is_empty() {
        format!(
            "SELECT rowid FROM clue_fts WHERE clue_fts MATCH ${m} ORDER BY rowid DESC LIMIT ${}",
            m + 1
        )
    } else {
        format!(
            "SELECT clue_fts.rowid FROM clue_fts JOIN clue ON clue.id = clue_fts.rowid \
             WHERE clue_fts MATCH ${m} AND {} ORDER BY clue_fts.rowid DESC LIMIT ${}",
            &w[" WHERE ".len()..],
            m + 1
        )
    };
    Ok(c.query(&sql, &p)?.iter().map(|r| r.i64(0)).collect())
}

/// The clues of these ids, in this order.
fn rows_in_order(c: &mut dyn Conn, ids: &[i64]) -> Result<Vec<Clue>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ph: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let params: Vec<Value> = ids.iter().map(|i| (*i).into()).collect();
    let mut rows: Vec<Clue> = c
        .query(
            &format!("SELECT {COLS} FROM clue WHERE id IN ({})", ph.join(", ")),
            &params,
        )?
        .into_iter()
        .map(from_owned_row)
        .collect();
    rows.sort_by_key(|k| ids.iter().position(|i| *i == k.id).unwrap_or(usize::MAX));
    Ok(rows)
}

/// Most matches a search counts: each is a clue to check against the other conditions, and on
/// PostgreSQL a row to visit (counting 10,000 matches of 油烟 took 38 ms there, the page 10 ms).
pub const SEARCH_COUNT_CAP: i64 = 1_000;

/// A page of clues (as [`list`]) with the number of matches, counted up to `cap` — up to
/// [`SEARCH_COUNT_CAP`] for a search. Returns (rows, count, cap used):
/// a count above the cap means "more than the cap".
pub fn page(c: &mut dyn Conn, f: &ClueFilter, limit: i64, offset: i64, cap: i64) -> Result<(Vec<Clue>, i64, i64)> {
    page_counted(c, f, limit, offset, cap, None)
}

/// The cap [`page`] counts a filter's matches up to.
pub fn count_cap(f: &ClueFilter, cap: i64) -> i64 {
    if f.tokens.is_empty() {
        cap
    } else {
        cap.min(SEARCH_COUNT_CAP)
    }
}

/// [`page`], with the count when it is known already (counted moments ago): the same page
/// through the same access path, without counting — for a search, the walk stops at the page
/// instead of going on to the count's cap.
pub fn page_counted(
    c: &mut dyn Conn,
    f: &ClueFilter,
    limit: i64,
    offset: i64,
    cap: i64,
    known: Option<i64>,
) -> Result<(Vec<Clue>, i64, i64)> {
    let cap = count_cap(f, cap);
    let sqlite = c.backend() == crate::Backend::Sqlite;
    // A search inside a small set picked by conditions the index does not hold (it holds the
    // words and the statuses): take the set from its indexes and test each row's tokens, instead
    // of taking every match of a common word (tens of thousands in a million clues) from the
    // full-text index.
    let index_has_the_set = !f.statuses.is_empty();
    if !f.tokens.is_empty() && !only_search(f) && !index_has_the_set {
        let rest = ClueFilter {
            tokens: Vec::new(),
            ..f.clone()
        };
        if count_capped(c, &rest, SMALL_SET)? <= SMALL_SET {
            let (w, p) = where_clause_for(c, f, SearchVia::RowTest);
            let total = known.map_or_else(
                || {
                    c.scalar_i64(
                        &format!(
                            "SELECT COUNT(*) FROM (SELECT 1 FROM clue{w}{}) capped",
                            limit_offset(cap + 1, 0)
                        ),
                        &p,
                    )
                },
                Ok,
            )?;
            return Ok((ids_newest_first(c, &w, p, limit, offset)?, total, cap));
        }
    }
    // SQLite, a search and nothing else: counted in the index alone (without reading the matches
    // out), then the page walked.
    if sqlite && !f.tokens.is_empty() && only_search(f) {
        let total = known.map_or_else(|| count_capped(c, f, cap), Ok)?;
        return Ok((search_list(c, f, limit, offset)?, total, cap));
    }
    // A search with other conditions (counted up to 1,000): one pass over the matches gives both
    // the count and the page — on SQLite a walk of the index, on PostgreSQL the index's matches
    // of the words and statuses, sorted (not a walk of the primary key: a rare word inside a tab
    // would visit every clue). (A plain search on PostgreSQL is not sorted so: a
    // common word's 44,000 matches cost 100 ms to sort, against 4 ms to count 1,000 of them and
    // 1.6 ms to walk the newest 50 testing the stored vector.)
    if !f.tokens.is_empty() && !only_search(f) {
        let (offset, limit) = (offset.max(0), limit.max(0));
        let n = match known {
            Some(_) => offset + limit,
            None => (cap + 1).max(offset + limit),
        };
        let ids = if sqlite {
            sqlite_search_ids(c, f, n)?
        } else {
            let (w, p) = where_clause(c, f);
            c.query(
                &format!(
                    "SELECT clue.id FROM clue{w} ORDER BY {}{}",
                    dialect::clue_matches_newest_first(c.backend()),
                    limit_offset(n, 0)
                ),
                &p,
            )?
            .iter()
            .map(|r| r.i64(0))
            .collect()
        };
        let total = known.unwrap_or((ids.len() as i64).min(cap + 1));
        let page: Vec<i64> = ids.into_iter().skip(offset as usize).take(limit as usize).collect();
        return Ok((rows_in_order(c, &page)?, total, cap));
    }
    let total = known.map_or_else(|| count_capped(c, f, cap), Ok)?;
    // Few matches (a rare word inside a large queue): sort them, rather than walk the index's
    // matches until a page of them passes the other conditions.
    if !f.tokens.is_empty() && total <= FEW_MATCHES {
        let (w, p) = where_clause(c, f);
        return Ok((ids_newest_first(c, &w, p, limit, offset)?, total, cap));
    }
    Ok((list(c, f, limit, offset)?, total, cap))
}

/// A page of the clues of a WHERE clause, newest registered first.
fn ids_newest_first(c: &mut dyn Conn, w: &str, p: Vec<Value>, limit: i64, offset: i64) -> Result<Vec<Clue>> {
    page_in_order(c, w, p, "clue.id DESC", limit, offset)
}

/// A page of the clues of a WHERE clause in an order: the page's ids first (from the indexes
/// where the filter allows), then those rows — sorting thousands of whole rows to keep fifty costs
/// more than the page itself.
fn page_in_order(c: &mut dyn Conn, w: &str, p: Vec<Value>, order: &str, limit: i64, offset: i64) -> Result<Vec<Clue>> {
    Ok(c.query(
        &format!(
            "SELECT {COLS} FROM clue WHERE clue.id IN (SELECT clue.id FROM clue{w} \
             ORDER BY {order}{}) ORDER BY {order}",
            limit_offset(limit, offset)
        ),
        &p,
    )?
    .into_iter()
    .map(from_owned_row)
    .collect())
}

/// See [`page`]: a set this small is searched by testing its rows.
const SMALL_SET: i64 = 5_000;

/// See [`page`].
const FEW_MATCHES: i64 = 200;

fn only_search(f: &ClueFilter) -> bool {
    *f == (ClueFilter {
        tokens: f.tokens.clone(),
        ..Default::default()
    })
}

pub fn count(c: &mut dyn Conn, f: &ClueFilter) -> Result<i64> {
    let (w, p) = where_clause(c, f);
    c.scalar_i64(&format!("SELECT COUNT(*) FROM clue{w}"), &p)
}

/// Counts matches up to `cap + 1` (a list's "more than `cap`").
pub fn count_capped(c: &mut dyn Conn, f: &ClueFilter, cap: i64) -> Result<i64> {
    // A clock state and nothing else (the district's 即将超期/已超期 tabs): count in the covering
    // clock index alone.
    if let Some(state) = &f.clock_state
        && *f
            == (ClueFilter {
                clock_state: Some(state.clone()),
                ..Default::default()
            })
    {
        let from = dialect::open_clocks_by_due_from(c.backend());
        return c.scalar_i64(
            &format!(
                "SELECT COUNT(*) FROM (SELECT DISTINCT subject_id FROM {from} \
                 WHERE subject_type = 'clue' AND state = $1 AND met_at IS NULL{}) capped",
                limit_offset(cap + 1, 0)
            ),
            params![state],
        );
    }
    // A search and nothing else: count in the full-text index alone (every clue is in it).
    if c.backend() == crate::Backend::Sqlite && !f.tokens.is_empty() && only_search(f) {
        let q = dialect::search_query_value(c.backend(), &f.tokens);
        return c.scalar_i64(
            "SELECT COUNT(*) FROM (SELECT rowid FROM clue_fts WHERE clue_fts MATCH $1 LIMIT $2) capped",
            params![q, cap + 1],
        );
    }
    let (w, p) = where_clause(c, f);
    c.scalar_i64(
        &format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM clue{w}{}) capped",
            limit_offset(cap + 1, 0)
        ),
        &p,
    )
}

/// Counts by status within a filter (for queue tabs).
pub fn count_by_status(c: &mut dyn Conn, f: &ClueFilter) -> Result<Vec<(String, i64)>> {
    let (w, p) = where_clause(c, f);
    Ok(c.query(
        &format!("SELECT clue.status, COUNT(*) FROM clue{w} GROUP BY clue.status"),
        &p,
    )?
    .into_iter()
    .map(|r| (r.text(0), r.i64(1)))
    .collect())
}

/// Open primary clues at the same place — the same place key, or a point inside the box
/// `[min_lng, max_lng, min_lat, max_lat]` — received since an instant, newest first: the
/// candidates a new report may repeat (any matter: the same problem is sometimes filed under two).
pub fn dedup_candidates(
    c: &mut dyn Conn,
    place_key: Option<&str>,
    bbox: Option<[f64; 4]>,
    since: Timestamp,
    limit: i64,
) -> Result<Vec<DedupCandidate>> {
    // Two index-friendly queries rather than one OR (which SQLite would answer by scanning).
    let mut out: Vec<DedupCandidate> = Vec::new();
    if let Some(key) = place_key {
        out.extend(
            c.query(
                &format!(
                    "SELECT {DEDUP_COLS} FROM clue WHERE place_key = $1 AND received_at >= $2 AND {DEDUP_OPEN} \
                     ORDER BY received_at DESC LIMIT $3"
                ),
                params![key, since, limit],
            )?
            .iter()
            .map(dedup_from_row),
        );
    }
    if let Some([min_lng, max_lng, min_lat, max_lat]) = bbox {
        for k in c
            .query(
                &format!(
                    "SELECT {DEDUP_COLS} FROM clue WHERE lat BETWEEN $1 AND $2 AND lng BETWEEN $3 AND $4 \
                     AND received_at >= $5 AND {DEDUP_OPEN} ORDER BY received_at DESC LIMIT $6"
                ),
                params![min_lat, max_lat, min_lng, max_lng, since, limit],
            )?
            .iter()
            .map(dedup_from_row)
        {
            if !out.iter().any(|x| x.id == k.id) {
                out.push(k);
            }
        }
    }
    out.sort_by_key(|k| std::cmp::Reverse((k.received_at, k.id)));
    out.truncate(limit.max(0) as usize);
    Ok(out)
}

/// The open clues stored after clue `after_id` at the place (same key, or inside the box) since
/// a time: what a duplicate check read before a write has not seen. Reads the end of the id range
/// only.
pub fn dedup_arrivals(
    c: &mut dyn Conn,
    after_id: i64,
    place_key: Option<&str>,
    bbox: Option<[f64; 4]>,
    since: Timestamp,
) -> Result<Vec<DedupCandidate>> {
    if place_key.is_none() && bbox.is_none() {
        return Ok(Vec::new());
    }
    // The place test in SQL, so that only the matches are read out (this runs in the one writer,
    // after every clue stored since the read: at 64 concurrent reports, dozens of rows with their
    // texts). `|| ''` and `+ 0` keep the planner on the id range instead of the place indexes.
    let [min_lng, max_lng, min_lat, max_lat] = match bbox {
        Some(b) => b.map(Some),
        None => [None; 4],
    };
    let mut out: Vec<DedupCandidate> = c
        .query(
            &format!(
                "SELECT {DEDUP_COLS} FROM clue WHERE id > $1 AND received_at >= $2 AND {DEDUP_OPEN} \
                 AND (place_key || '' = $3 OR (lng + 0 BETWEEN $4 AND $5 AND lat + 0 BETWEEN $6 AND $7))"
            ),
            params![after_id, since, place_key, min_lng, max_lng, min_lat, max_lat],
        )?
        .iter()
        .map(dedup_from_row)
        .collect();
    out.sort_by_key(|k| std::cmp::Reverse((k.received_at, k.id)));
    Ok(out)
}

/// The highest clue id (0 when there are none).
pub fn max_id(c: &mut dyn Conn) -> Result<i64> {
    Ok(c.query_one("SELECT COALESCE(MAX(id), 0) FROM clue", &[])?.i64(0))
}

const DEDUP_OPEN: &str = "duplicate_of IS NULL AND status NOT IN ('closed', 'returned', 'transferred')";
const DEDUP_COLS: &str = "id, matter_code, description, lng, lat, place_key, received_at, classification";

/// What the duplicate check reads of an open clue.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupCandidate {
    pub id: i64,
    pub matter_code: String,
    pub description: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub place_key: Option<String>,
    pub received_at: Timestamp,
    /// The classifier's JSON (suggestion, confidence, alternatives).
    pub classification: String,
}

fn dedup_from_row(r: &Row) -> DedupCandidate {
    DedupCandidate {
        id: r.i64(0),
        matter_code: r.text(1),
        description: r.text(2),
        lng: r.f64(3),
        lat: r.f64(4),
        place_key: r.opt_text(5),
        received_at: r.ts(6),
        classification: r.text(7),
    }
}

/// Clues linked to a primary (并案).
pub fn linked_to(c: &mut dyn Conn, primary: i64) -> Result<Vec<Clue>> {
    Ok(c.query(
        &format!("SELECT {COLS} FROM clue WHERE duplicate_of = $1 ORDER BY id"),
        params![primary],
    )?
    .into_iter()
    .map(from_owned_row)
    .collect())
}

// ---------------------------------------------------------------- timeline

#[derive(Debug, Clone, PartialEq)]
pub struct ClueEvent {
    pub id: i64,
    pub clue_id: i64,
    pub at: Timestamp,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub actor_org_id: Option<i64>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
    pub data: Option<String>,
}

/// Adds an event to a clue's timeline (on PostgreSQL sent with the transaction's next statement
/// that could see it: `Conn::insert_later`).
pub fn insert_event(c: &mut dyn Conn, e: &ClueEvent) -> Result<()> {
    c.insert_later(
        "clue_event",
        "clue_id, at, actor_user_id, actor_name, actor_org_id, action, from_status, to_status, note, data",
        params![
            e.clue_id,
            e.at,
            e.actor_user_id,
            &e.actor_name,
            e.actor_org_id,
            &e.action,
            &e.from_status,
            &e.to_status,
            &e.note,
            &e.data
        ]
        .to_vec(),
    )
}

pub fn events_of(c: &mut dyn Conn, clue_id: i64) -> Result<Vec<ClueEvent>> {
    Ok(c.query(
        "SELECT id, clue_id, at, actor_user_id, actor_name, actor_org_id, action, from_status, to_status, note, data \
         FROM clue_event WHERE clue_id = $1 ORDER BY id",
        params![clue_id],
    )?
    .into_iter()
    .map(|r| ClueEvent {
        id: r.i64(0),
        clue_id: r.i64(1),
        at: r.ts(2),
        actor_user_id: r.opt_i64(3),
        actor_name: r.text(4),
        actor_org_id: r.opt_i64(5),
        action: r.text(6),
        from_status: r.opt_text(7),
        to_status: r.opt_text(8),
        note: r.text(9),
        data: r.opt_text(10),
    })
    .collect())
}

/// Returns (send-backs and reassignments) counted per actor org and per assigned team since an
/// instant: mis-dispatch data.
pub fn returns_since(c: &mut dyn Conn, since: Timestamp) -> Result<Vec<(String, String, i64)>> {
    Ok(c.query(
        "SELECT action, COALESCE(CAST(actor_org_id AS TEXT), ''), COUNT(*) FROM clue_event \
         WHERE action IN ('send_back', 'reassign') AND at >= $1 GROUP BY action, actor_org_id ORDER BY action",
        params![since],
    )?
    .into_iter()
    .map(|r| (r.text(0), r.text(1), r.i64(2)))
    .collect())
}

// ---------------------------------------------------------------- attachments and files

#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub id: i64,
    pub clue_id: i64,
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: Timestamp,
}

/// Stores file bytes under their SHA-256 (idempotent).
pub fn put_blob(c: &mut dyn Conn, sha256: &str, content_type: &str, data: &[u8], now: Timestamp) -> Result<()> {
    c.execute(
        "INSERT INTO blob (sha256, content_type, size, data, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        params![sha256, content_type, data.len() as i64, data.to_vec(), now],
    )?;
    Ok(())
}

pub fn get_blob(c: &mut dyn Conn, sha256: &str) -> Result<(String, Vec<u8>)> {
    let r = c.query_one("SELECT content_type, data FROM blob WHERE sha256 = $1", params![sha256])?;
    Ok((r.text(0), r.blob(1)))
}

pub fn insert_attachment(c: &mut dyn Conn, a: &Attachment) -> Result<i64> {
    c.insert_id(
        "INSERT INTO clue_attachment (clue_id, sha256, filename, content_type, size, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![
            a.clue_id,
            &a.sha256,
            &a.filename,
            &a.content_type,
            a.size,
            &a.uploaded_by,
            a.uploaded_at
        ],
    )
}

pub fn attachments_of(c: &mut dyn Conn, clue_id: i64) -> Result<Vec<Attachment>> {
    Ok(c.query(
        "SELECT id, clue_id, sha256, filename, content_type, size, uploaded_by, uploaded_at FROM clue_attachment \
         WHERE clue_id = $1 ORDER BY id",
        params![clue_id],
    )?
    .into_iter()
    .map(|r| Attachment {
        id: r.i64(0),
        clue_id: r.i64(1),
        sha256: r.text(2),
        filename: r.text(3),
        content_type: r.text(4),
        size: r.i64(5),
        uploaded_by: r.text(6),
        uploaded_at: r.ts(7),
    })
    .collect())
}

pub fn get_attachment(c: &mut dyn Conn, id: i64) -> Result<Attachment> {
    let r = c.query_one(
        "SELECT id, clue_id, sha256, filename, content_type, size, uploaded_by, uploaded_at FROM clue_attachment WHERE id = $1",
        params![id],
    )?;
    Ok(Attachment {
        id: r.i64(0),
        clue_id: r.i64(1),
        sha256: r.text(2),
        filename: r.text(3),
        content_type: r.text(4),
        size: r.i64(5),
        uploaded_by: r.text(6),
        uploaded_at: r.ts(7),
    })
}

// ---------------------------------------------------------------- labels

pub fn insert_label(
    c: &mut dyn Conn,
    clue_id: Option<i64>,
    text: &str,
    suggested: &str,
    confirmed: &str,
    by: &str,
    at: Timestamp,
) -> Result<i64> {
    c.insert_id(
        "INSERT INTO classification_label (clue_id, text, suggested, confirmed, labelled_by, labelled_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![clue_id, text, suggested, confirmed, by, at],
    )
}

/// (confirmed matter code, text), oldest first.
pub fn labels(c: &mut dyn Conn) -> Result<Vec<(String, String, String)>> {
    Ok(c.query(
        "SELECT confirmed, text, suggested FROM classification_label ORDER BY id",
        &[],
    )?
    .into_iter()
    .map(|r| (r.text(0), r.text(1), r.text(2)))
    .collect())
}

// ---------------------------------------------------------------- catalogue, boundaries, roads

#[derive(Debug, Clone, PartialEq)]
pub struct DefinitionRow {
    pub code: String,
    pub position: i64,
    pub definition: String,
}

pub fn upsert_matter(c: &mut dyn Conn, m: &DefinitionRow, now: Timestamp) -> Result<()> {
    c.execute(
        "INSERT INTO matter (code, position, definition, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (code) DO UPDATE SET position = excluded.position, definition = excluded.definition, updated_at = excluded.updated_at",
        params![&m.code, m.position, &m.definition, now],
    )?;
    Ok(())
}

pub fn matters(c: &mut dyn Conn) -> Result<Vec<DefinitionRow>> {
    Ok(c.query(
        "SELECT code, position, definition FROM matter ORDER BY position, code",
        &[],
    )?
    .into_iter()
    .map(|r| DefinitionRow {
        code: r.text(0),
        position: r.i64(1),
        definition: r.text(2),
    })
    .collect())
}

pub fn set_catalogue_extra(c: &mut dyn Conn, definition: &str, now: Timestamp) -> Result<()> {
    c.execute(
        "INSERT INTO catalogue_extra (id, definition, updated_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
        params![definition, now],
    )?;
    Ok(())
}

pub fn catalogue_extra(c: &mut dyn Conn) -> Result<Option<String>> {
    Ok(c.query_opt("SELECT definition FROM catalogue_extra WHERE id = 1", &[])?
        .map(|r| r.text(0)))
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryRow {
    pub code: String,
    /// `street` or `grid`
    pub kind: String,
    pub name: String,
    /// GeoJSON geometry (Polygon or MultiPolygon), WGS84.
    pub geometry: String,
    pub approximate: bool,
}

/// Replaces all boundaries of a kind.
pub fn replace_boundaries(c: &mut dyn Conn, kind: &str, rows: &[BoundaryRow], now: Timestamp) -> Result<()> {
    c.execute("DELETE FROM boundary WHERE kind = $1", params![kind])?;
    for b in rows {
        c.execute(
            "INSERT INTO boundary (code, kind, name, geometry, approximate, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            params![&b.code, kind, &b.name, &b.geometry, b.approximate, now],
        )?;
    }
    Ok(())
}

pub fn boundaries(c: &mut dyn Conn) -> Result<Vec<BoundaryRow>> {
    Ok(c.query(
        "SELECT code, kind, name, geometry, approximate FROM boundary ORDER BY kind, code",
        &[],
    )?
    .into_iter()
    .map(|r| BoundaryRow {
        code: r.text(0),
        kind: r.text(1),
        name: r.text(2),
        geometry: r.text(3),
        approximate: r.bool(4),
    })
    .collect())
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoadRow {
    pub name: String,
    pub street_code: String,
    pub ambiguous: bool,
    /// Other street codes the road touches, comma-separated.
    pub also: String,
}

pub fn upsert_road(c: &mut dyn Conn, r: &RoadRow, now: Timestamp) -> Result<()> {
    c.execute(
        "INSERT INTO road_rule (name, street_code, ambiguous, also, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (name) DO UPDATE SET street_code = excluded.street_code, ambiguous = excluded.ambiguous, \
         also = excluded.also, updated_at = excluded.updated_at",
        params![&r.name, &r.street_code, r.ambiguous, &r.also, now],
    )?;
    Ok(())
}

pub fn roads(c: &mut dyn Conn) -> Result<Vec<RoadRow>> {
    Ok(c.query(
        "SELECT name, street_code, ambiguous, also FROM road_rule ORDER BY name",
        &[],
    )?
    .into_iter()
    .map(|r| RoadRow {
        name: r.text(0),
        street_code: r.text(1),
        ambiguous: r.bool(2),
        also: r.text(3),
    })
    .collect())
}
