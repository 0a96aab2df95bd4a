//! Legal clocks: calendar data, rule definitions, running clocks, their suspensions, extensions
//! and alerts. No date arithmetic here: due instants are computed by `jingzhi_domain::clock` and
//! stored as text for ordering and listing.

use crate::{Conn, Result, Row, StoreError, params};
use jiff::Timestamp;
use jiff::civil::Date;

// ---------------------------------------------------------------- calendar

#[derive(Debug, Clone, PartialEq)]
pub struct YearRow {
    pub year: i64,
    pub source: String,
    pub source_url: Option<String>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DayRow {
    pub day: Date,
    pub year: i64,
    /// `holiday` or `workday` (a make-up working day).
    pub kind: String,
    pub name: String,
}

/// Replaces a year's data (all its listed days).
pub fn replace_year(c: &mut dyn Conn, y: &YearRow, days: &[DayRow]) -> Result<()> {
    c.execute("DELETE FROM calendar_day WHERE year = $1", params![y.year])?;
    c.execute(
        "INSERT INTO calendar_year (year, source, source_url, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (year) DO UPDATE SET source = excluded.source, source_url = excluded.source_url, updated_at = excluded.updated_at",
        params![y.year, &y.source, &y.source_url, y.updated_at],
    )?;
    for d in days {
        c.execute(
            "INSERT INTO calendar_day (day, year, kind, name) VALUES ($1, $2, $3, $4)",
            params![d.day, d.year, &d.kind, &d.name],
        )?;
    }
    Ok(())
}

pub fn years(c: &mut dyn Conn) -> Result<Vec<YearRow>> {
    Ok(c.query(
        "SELECT year, source, source_url, updated_at FROM calendar_year ORDER BY year",
        &[],
    )?
    .into_iter()
    .map(|r| YearRow {
        year: r.i64(0),
        source: r.text(1),
        source_url: r.opt_text(2),
        updated_at: r.ts(3),
    })
    .collect())
}

pub fn days(c: &mut dyn Conn, year: Option<i64>) -> Result<Vec<DayRow>> {
    Ok(c.query(
        "SELECT day, year, kind, name FROM calendar_day WHERE (CAST($1 AS BIGINT) IS NULL OR year = $1) ORDER BY day",
        params![year],
    )?
    .into_iter()
    .map(|r| DayRow {
        day: r.opt_date(0).expect("stored date"),
        year: r.i64(1),
        kind: r.text(2),
        name: r.text(3),
    })
    .collect())
}

// ---------------------------------------------------------------- rules

#[derive(Debug, Clone, PartialEq)]
pub struct RuleRow {
    pub code: String,
    pub position: i64,
    /// The rule's TOML table (without the `[[rule]]` header).
    pub definition: String,
    pub updated_at: Timestamp,
}

pub fn upsert_rule(c: &mut dyn Conn, r: &RuleRow) -> Result<()> {
    c.execute(
        "INSERT INTO clock_rule (code, position, definition, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (code) DO UPDATE SET position = excluded.position, definition = excluded.definition, updated_at = excluded.updated_at",
        params![&r.code, r.position, &r.definition, r.updated_at],
    )?;
    Ok(())
}

pub fn rules(c: &mut dyn Conn) -> Result<Vec<RuleRow>> {
    Ok(c.query(
        "SELECT code, position, definition, updated_at FROM clock_rule ORDER BY position, code",
        &[],
    )?
    .into_iter()
    .map(|r| RuleRow {
        code: r.text(0),
        position: r.i64(1),
        definition: r.text(2),
        updated_at: r.ts(3),
    })
    .collect())
}

// ---------------------------------------------------------------- clocks

#[derive(Debug, Clone, PartialEq)]
pub struct ClockRow {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: i64,
    pub rule_code: String,
    pub anchor_at: Timestamp,
    pub met_at: Option<Timestamp>,
    pub state: String,
    pub due_at: Timestamp,
    pub provisional: bool,
    pub street_code: Option<String>,
}

const CLOCK_COLS: &str =
    "id, subject_type, subject_id, rule_code, anchor_at, met_at, state, due_at, provisional, street_code";

fn clock_from(r: &Row) -> ClockRow {
    ClockRow {
        id: r.i64(0),
        subject_type: r.text(1),
        subject_id: r.i64(2),
        rule_code: r.text(3),
        anchor_at: r.ts(4),
        met_at: r.opt_ts(5),
        state: r.text(6),
        due_at: r.ts(7),
        provisional: r.bool(8),
        street_code: r.opt_text(9),
    }
}

/// Starts a clock; `state`/`due_at` are the engine's first computation.
pub fn insert_clock(c: &mut dyn Conn, k: &ClockRow, now: Timestamp) -> Result<i64> {
    c.insert_id(
        "INSERT INTO clock (subject_type, subject_id, rule_code, anchor_at, met_at, state, due_at, provisional, street_code, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        params![
            &k.subject_type,
            k.subject_id,
            &k.rule_code,
            k.anchor_at,
            k.met_at,
            &k.state,
            k.due_at,
            k.provisional,
            &k.street_code,
            now
        ],
    )
}

pub fn get_clock(c: &mut dyn Conn, id: i64) -> Result<ClockRow> {
    Ok(clock_from(&c.query_one(
        &format!("SELECT {CLOCK_COLS} FROM clock WHERE id = $1"),
        params![id],
    )?))
}

pub fn clocks_of(c: &mut dyn Conn, subject_type: &str, subject_id: i64) -> Result<Vec<ClockRow>> {
    Ok(c.query(
        &format!("SELECT {CLOCK_COLS} FROM clock WHERE subject_type = $1 AND subject_id = $2 ORDER BY id"),
        params![subject_type, subject_id],
    )?
    .iter()
    .map(clock_from)
    .collect())
}

/// Records a new computation of a clock (after a change or a sweep).
pub fn set_clock_status(
    c: &mut dyn Conn,
    id: i64,
    state: &str,
    due_at: Timestamp,
    provisional: bool,
    now: Timestamp,
) -> Result<()> {
    let n = c.execute(
        "UPDATE clock SET state = $2, due_at = $3, provisional = $4, updated_at = $5 WHERE id = $1",
        params![id, state, due_at, provisional, now],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Stops a clock: the obligation was met at `met_at`.
pub fn set_clock_met(c: &mut dyn Conn, id: i64, met_at: Timestamp, state: &str, now: Timestamp) -> Result<()> {
    let n = c.execute(
        "UPDATE clock SET met_at = $2, state = $3, updated_at = $4 WHERE id = $1",
        params![id, met_at, state, now],
    )?;
    if n == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Open clocks (not met), in id order, after `after_id`, at most `limit` (for the sweep).
pub fn open_clocks(c: &mut dyn Conn, after_id: i64, limit: i64) -> Result<Vec<ClockRow>> {
    Ok(c.query(
        &format!(
            "SELECT {CLOCK_COLS} FROM {} WHERE met_at IS NULL AND id > $1 ORDER BY id LIMIT $2",
            crate::dialect::open_clocks_from(c.backend())
        ),
        params![after_id, limit],
    )?
    .iter()
    .map(clock_from)
    .collect())
}

/// Open clocks in given states, soonest due first, optionally of one street.
pub fn clocks_in_states(c: &mut dyn Conn, states: &[&str], street: Option<&str>, limit: i64) -> Result<Vec<ClockRow>> {
    let mut out = Vec::new();
    for s in states {
        out.extend(
            c.query(
                &format!(
                    "SELECT {CLOCK_COLS} FROM clock WHERE met_at IS NULL AND state = $1 \
                     AND (CAST($2 AS TEXT) IS NULL OR street_code = $2) ORDER BY due_at LIMIT $3"
                ),
                params![*s, street, limit],
            )?
            .iter()
            .map(clock_from),
        );
    }
    out.sort_by_key(|c| c.due_at);
    out.truncate(limit.max(0) as usize);
    Ok(out)
}

#[derive(Debug, Clone, PartialEq)]
pub struct SuspensionRow {
    pub id: i64,
    pub clock_id: i64,
    pub start_at: Timestamp,
    pub end_at: Option<Timestamp>,
    pub reason: String,
    pub approver: String,
}

pub fn insert_suspension(c: &mut dyn Conn, s: &SuspensionRow, now: Timestamp) -> Result<i64> {
    c.insert_id(
        "INSERT INTO clock_suspension (clock_id, start_at, end_at, reason, approver, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![s.clock_id, s.start_at, s.end_at, &s.reason, &s.approver, now],
    )
}

/// Ends the open suspension of a clock.
pub fn end_suspension(c: &mut dyn Conn, clock_id: i64, end_at: Timestamp) -> Result<u64> {
    c.execute(
        "UPDATE clock_suspension SET end_at = $2 WHERE clock_id = $1 AND end_at IS NULL",
        params![clock_id, end_at],
    )
}

pub fn suspensions_of(c: &mut dyn Conn, clock_id: i64) -> Result<Vec<SuspensionRow>> {
    Ok(c.query(
        "SELECT id, clock_id, start_at, end_at, reason, approver FROM clock_suspension WHERE clock_id = $1 ORDER BY start_at, id",
        params![clock_id],
    )?
    .into_iter()
    .map(|r| SuspensionRow {
        id: r.i64(0),
        clock_id: r.i64(1),
        start_at: r.ts(2),
        end_at: r.opt_ts(3),
        reason: r.text(4),
        approver: r.text(5),
    })
    .collect())
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExtensionRow {
    pub id: i64,
    pub clock_id: i64,
    pub length: i64,
    pub unit: Option<String>,
    pub reason: String,
    pub approver: String,
}

pub fn insert_extension(c: &mut dyn Conn, e: &ExtensionRow, now: Timestamp) -> Result<i64> {
    c.insert_id(
        "INSERT INTO clock_extension (clock_id, length, unit, reason, approver, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        params![e.clock_id, e.length, &e.unit, &e.reason, &e.approver, now],
    )
}

pub fn extensions_of(c: &mut dyn Conn, clock_id: i64) -> Result<Vec<ExtensionRow>> {
    Ok(c.query(
        "SELECT id, clock_id, length, unit, reason, approver FROM clock_extension WHERE clock_id = $1 ORDER BY id",
        params![clock_id],
    )?
    .into_iter()
    .map(|r| ExtensionRow {
        id: r.i64(0),
        clock_id: r.i64(1),
        length: r.i64(2),
        unit: r.opt_text(3),
        reason: r.text(4),
        approver: r.text(5),
    })
    .collect())
}

/// All suspensions and extensions of clocks with ids in (after_id, up_to], for the sweep.
pub fn shifts_between(c: &mut dyn Conn, after_id: i64, up_to: i64) -> Result<(Vec<SuspensionRow>, Vec<ExtensionRow>)> {
    let s = c
        .query(
            "SELECT id, clock_id, start_at, end_at, reason, approver FROM clock_suspension \
             WHERE clock_id > $1 AND clock_id <= $2 ORDER BY clock_id, start_at, id",
            params![after_id, up_to],
        )?
        .into_iter()
        .map(|r| SuspensionRow {
            id: r.i64(0),
            clock_id: r.i64(1),
            start_at: r.ts(2),
            end_at: r.opt_ts(3),
            reason: r.text(4),
            approver: r.text(5),
        })
        .collect();
    let e = c
        .query(
            "SELECT id, clock_id, length, unit, reason, approver FROM clock_extension \
             WHERE clock_id > $1 AND clock_id <= $2 ORDER BY clock_id, id",
            params![after_id, up_to],
        )?
        .into_iter()
        .map(|r| ExtensionRow {
            id: r.i64(0),
            clock_id: r.i64(1),
            length: r.i64(2),
            unit: r.opt_text(3),
            reason: r.text(4),
            approver: r.text(5),
        })
        .collect();
    Ok((s, e))
}

/// Raises an alert once per clock and kind; true when this call raised it.
pub fn raise_alert(c: &mut dyn Conn, clock_id: i64, kind: &str, due_at: Timestamp, now: Timestamp) -> Result<bool> {
    Ok(c.execute(
        "INSERT INTO clock_alert (clock_id, kind, raised_at, due_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (clock_id, kind) DO NOTHING",
        params![clock_id, kind, now, due_at],
    )? == 1)
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    pub clock_id: i64,
    pub kind: String,
    pub raised_at: Timestamp,
    pub due_at: Timestamp,
}

pub fn alerts_since(c: &mut dyn Conn, since: Timestamp, limit: i64) -> Result<Vec<AlertRow>> {
    Ok(c.query(
        "SELECT clock_id, kind, raised_at, due_at FROM clock_alert WHERE raised_at >= $1 ORDER BY raised_at, clock_id LIMIT $2",
        params![since, limit],
    )?
    .into_iter()
    .map(|r| AlertRow { clock_id: r.i64(0), kind: r.text(1), raised_at: r.ts(2), due_at: r.ts(3) })
    .collect())
}

/// Counts of open clocks by state (for dashboards and home pages), optionally of one street.
pub fn count_by_state(c: &mut dyn Conn, street: Option<&str>) -> Result<Vec<(String, i64)>> {
    Ok(c.query(
        "SELECT state, COUNT(*) FROM clock WHERE met_at IS NULL AND (CAST($1 AS TEXT) IS NULL OR street_code = $1) \
         GROUP BY state ORDER BY state",
        params![street],
    )?
    .into_iter()
    .map(|r| (r.text(0), r.i64(1)))
    .collect())
}

/// Open clocks of many subjects of one kind at once (list pages).
pub fn open_clocks_of(c: &mut dyn Conn, subject_type: &str, subject_ids: &[i64]) -> Result<Vec<ClockRow>> {
    if subject_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut p: Vec<crate::Value> = vec![subject_type.into()];
    let ph: Vec<String> = subject_ids
        .iter()
        .map(|id| {
            p.push((*id).into());
            format!("${}", p.len())
        })
        .collect();
    Ok(c.query(
        &format!(
            "SELECT {CLOCK_COLS} FROM clock WHERE subject_type = $1 AND met_at IS NULL AND subject_id IN ({}) ORDER BY id",
            ph.join(", ")
        ),
        &p,
    )?
    .iter()
    .map(clock_from)
    .collect())
}
