//! 法定期限 in the application: the calendar and rules as data the bureau maintains (loaded from
//! the database, cached, reloaded when any server changes them), deadline computations for people
//! (CLI, API, pages), and the running clocks that the clue and case modules attach to their
//! records. Every deadline in Jingzhi is computed here through `jingzhi_domain::clock`; nothing
//! computes one elsewhere.

use crate::App;
use crate::actor::Actor;
use crate::audit::{NONE, record};
use crate::error::{AppError, AppResult, ErrorCode};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::clock::{
    Calendar, ClockInput, ClockRule, ClockState, Deadline, Extension, Provisional, RuleSet, SpecialDay, SpecialDayKind,
    Suspension, Sweeper, WorkingHours, YearCalendar, compute, parse_year_csv, parse_year_toml,
};
use jingzhi_store::Conn;
use jingzhi_store::repo::clocks as repo;
use jingzhi_store::repo::settings;
use serde::Serialize;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// The shipped defaults (used to fill an empty database).
const DEFAULT_YEARS: &[&str] = &[
    include_str!("../../../data/calendar/2025.toml"),
    include_str!("../../../data/calendar/2026.toml"),
];
const DEFAULT_RULES: &str = include_str!("../../../data/clock-rules.toml");
const DEFAULT_HOURS: &str = include_str!("../../../data/calendar/working-hours.toml");

const VERSION_KEY: &str = "clock_data_version";
const HOURS_KEY: &str = "working_hours";
/// How long a server trusts its cached calendar and rules before checking the version again.
const RECHECK: Duration = Duration::from_secs(30);

/// The calendar and the rules, as loaded from the database.
pub struct ClockData {
    pub calendar: Calendar,
    pub rules: RuleSet,
    /// The rules' TOML definitions, by code (for the admin page).
    pub definitions: Vec<(String, String)>,
    pub version: String,
}

#[derive(Default)]
pub struct ClockCache {
    loading: Mutex<()>,
    data: RwLock<Option<Arc<ClockData>>>,
    checked: Mutex<Option<Instant>>,
}

/// Who the sweep and the default loading act as, in the audit trail.
pub fn system_actor() -> Actor {
    let mut a = crate::demo::bootstrap_actor();
    a.name = "system".into();
    a.display_name = "系统".into();
    a
}

fn bump_version(c: &mut dyn Conn, now: Timestamp) -> AppResult<()> {
    settings::set(c, VERSION_KEY, &crate::secrets::random_hex(8), now)?;
    Ok(())
}

fn rule_tables(text: &str) -> AppResult<Vec<(String, String)>> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| {
        AppError::with_message(
            ErrorCode::ImportRejected,
            format!("期限规则文件格式错误：{}", e.message()),
        )
    })?;
    let rules = doc.get("rule").and_then(|r| r.as_array()).cloned().unwrap_or_default();
    rules
        .into_iter()
        .map(|r| {
            let code = r.get("code").and_then(|c| c.as_str()).unwrap_or_default().to_string();
            let mut doc = toml::Table::new();
            doc.insert("rule".into(), toml::Value::Array(vec![r]));
            Ok((
                code,
                toml::to_string(&doc).map_err(|_| AppError::new(ErrorCode::Internal))?,
            ))
        })
        .collect()
}

/// Each definition is one `[[rule]]` table (with its `[rule.…]` sub-tables) in TOML.
fn rules_from_definitions(defs: &[(String, String)]) -> Result<RuleSet, String> {
    for (code, d) in defs {
        let doc: toml::Table = toml::from_str(d).map_err(|e| format!("规则 {code} 格式错误：{}", e.message()))?;
        let n = doc.get("rule").and_then(|r| r.as_array()).map(|a| a.len()).unwrap_or(0);
        if n != 1 || doc.len() != 1 {
            return Err(format!("规则 {code} 须是且只能是一个 [[rule]] 表"));
        }
    }
    let text: String = defs.iter().map(|(_, d)| format!("{d}\n")).collect();
    RuleSet::from_toml(&text).map_err(|e| e.to_string())
}

fn year_rows(y: &YearCalendar, now: Timestamp) -> (repo::YearRow, Vec<repo::DayRow>) {
    (
        repo::YearRow {
            year: y.year as i64,
            source: y.source.clone(),
            source_url: y.source_url.clone(),
            updated_at: now,
        },
        y.days
            .iter()
            .map(|d| repo::DayRow {
                day: d.date,
                year: y.year as i64,
                kind: d.kind.code().into(),
                name: d.name.clone(),
            })
            .collect(),
    )
}

fn load(c: &mut dyn Conn) -> AppResult<ClockData> {
    let mut years = Vec::new();
    let days = repo::days(c, None)?;
    for y in repo::years(c)? {
        let list = days
            .iter()
            .filter(|d| d.year == y.year)
            .map(|d| SpecialDay {
                date: d.day,
                kind: SpecialDayKind::from_code(&d.kind).unwrap_or(SpecialDayKind::Holiday),
                name: d.name.clone(),
            })
            .collect();
        years.push(
            YearCalendar::new(y.year as i32, y.source, y.source_url, list)
                .map_err(|e| AppError::with_message(ErrorCode::Internal, format!("数据库中的工作日历有误：{e}")))?,
        );
    }
    let hours = match settings::get(c, HOURS_KEY)? {
        Some(t) => {
            WorkingHours::parse_toml(&t).map_err(|e| AppError::with_message(ErrorCode::Internal, e.to_string()))?
        }
        None => WorkingHours::standard(),
    };
    let calendar =
        Calendar::new(years, hours).map_err(|e| AppError::with_message(ErrorCode::Internal, e.to_string()))?;
    let definitions: Vec<(String, String)> = repo::rules(c)?.into_iter().map(|r| (r.code, r.definition)).collect();
    let rules = rules_from_definitions(&definitions)
        .map_err(|e| AppError::with_message(ErrorCode::Internal, format!("数据库中的期限规则有误：{e}")))?;
    let version = settings::get(c, VERSION_KEY)?.unwrap_or_default();
    Ok(ClockData {
        calendar,
        rules,
        definitions,
        version,
    })
}

/// Which years a date range touches that have no calendar data.
pub fn provisional_for(cal: &Calendar, from: Date, to: Date) -> Option<Provisional> {
    let (a, b) = if from <= to {
        (from.year() as i32, to.year() as i32)
    } else {
        (to.year() as i32, from.year() as i32)
    };
    let missing: Vec<i32> = (a..=b).filter(|y| !cal.has_year(*y)).collect();
    if missing.is_empty() {
        return None;
    }
    let list = missing.iter().map(|y| format!("{y}年")).collect::<Vec<_>>().join("、");
    Some(Provisional {
        reason: format!("{list}工作日历尚未录入，按周末推算，结果为暂定"),
        missing_years: missing,
    })
}

/// A subject a clock runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'a> {
    /// `clue`, `case`, `work_order` …
    pub kind: &'a str,
    pub id: i64,
}

/// What starts a clock: the subject, the rule, the anchor instant, and the street/town whose
/// jurisdiction the subject is in (for scoped lists).
#[derive(Debug, Clone, Copy)]
pub struct NewClock<'a> {
    pub subject: Subject<'a>,
    pub rule: &'a str,
    pub anchor: Timestamp,
    pub street_code: Option<&'a str>,
}

/// A running clock with its current computation.
#[derive(Debug, Clone)]
pub struct ClockView {
    pub id: i64,
    pub row: repo::ClockRow,
    pub deadline: Deadline,
}

fn inputs(c: &mut dyn Conn, clock_id: i64) -> AppResult<(Vec<Suspension>, Vec<Extension>)> {
    let s = repo::suspensions_of(c, clock_id)?
        .into_iter()
        .map(|s| Suspension {
            start: s.start_at,
            end: s.end_at,
            reason: s.reason,
            approver: s.approver,
        })
        .collect();
    let e = repo::extensions_of(c, clock_id)?
        .into_iter()
        .map(|e| Extension {
            length: e.length.max(0) as u32,
            unit: e.unit.as_deref().and_then(jingzhi_domain::clock::ClockUnit::from_code),
            approver: e.approver,
            reason: e.reason,
        })
        .collect();
    Ok((s, e))
}

fn clock_error(e: jingzhi_domain::clock::ClockError) -> AppError {
    AppError::with_message(ErrorCode::ValidationFailed, e.to_string())
}

/// Recomputes a clock from its stored facts and records the result.
fn refresh(c: &mut dyn Conn, data: &ClockData, id: i64, now: Timestamp) -> AppResult<ClockView> {
    let row = repo::get_clock(c, id)?;
    let (s, e) = inputs(c, id)?;
    let input = ClockInput {
        anchor: row.anchor_at,
        suspensions: &s,
        extensions: &e,
        met_at: row.met_at,
    };
    let d = data
        .rules
        .compute(&row.rule_code, &data.calendar, &input, now)
        .map_err(clock_error)?;
    if d.state.code() != row.state || d.due_at != row.due_at || d.provisional.is_some() != row.provisional {
        repo::set_clock_status(c, id, d.state.code(), d.due_at, d.provisional.is_some(), now)?;
    }
    let row = repo::get_clock(c, id)?;
    Ok(ClockView { id, row, deadline: d })
}

/// Starts a clock on a subject, in the caller's transaction (the clue and case modules call this
/// when the anchor event happens).
pub fn start_clock(
    c: &mut dyn Conn,
    data: &ClockData,
    actor: &Actor,
    new: NewClock<'_>,
    now: Timestamp,
) -> AppResult<ClockView> {
    let view = start_clock_unaudited(c, data, new, now)?;
    record(
        c,
        actor,
        now,
        "clock.start",
        "clock",
        view.id,
        NONE,
        Some(&serde_json::json!({
            "subject": format!("{}:{}", new.subject.kind, new.subject.id), "rule": new.rule,
            "anchor_at": jingzhi_domain::time::format_ts(new.anchor), "due_at": jingzhi_domain::time::format_ts(view.deadline.due_at),
        })),
    )?;
    Ok(view)
}

/// Starts a clock without its own audit record: for callers that record the clock inside the
/// audit record of the step that started it (a clue's registration).
pub fn start_clock_unaudited(
    c: &mut dyn Conn,
    data: &ClockData,
    new: NewClock<'_>,
    now: Timestamp,
) -> AppResult<ClockView> {
    let NewClock {
        subject,
        rule: rule_code,
        anchor,
        street_code,
    } = new;
    let rule = data
        .rules
        .get(rule_code)
        .ok_or_else(|| AppError::with_message(ErrorCode::ValidationFailed, format!("未知的期限规则：{rule_code}")))?;
    let d = compute(rule, &data.calendar, &ClockInput::new(anchor), now).map_err(clock_error)?;
    let mut row = repo::ClockRow {
        id: 0,
        subject_type: subject.kind.into(),
        subject_id: subject.id,
        rule_code: rule_code.into(),
        anchor_at: anchor,
        met_at: None,
        state: d.state.code().into(),
        due_at: d.due_at,
        provisional: d.provisional.is_some(),
        street_code: street_code.map(str::to_string),
    };
    row.id = repo::insert_clock(c, &row, now)?;
    // A new clock has no suspensions or extensions: its first computation is final.
    Ok(ClockView {
        id: row.id,
        row,
        deadline: d,
    })
}

fn require_approver(actor: &Actor, allowed: &[jingzhi_domain::role::Role], what: &str) -> AppResult<()> {
    if actor.roles.iter().any(|r| allowed.contains(r)) {
        Ok(())
    } else {
        let who = allowed.iter().map(|r| r.label()).collect::<Vec<_>>().join("、");
        Err(AppError::with_message(
            ErrorCode::Forbidden,
            format!("{what}须由{who}批准"),
        ))
    }
}

/// Suspends a clock (中止) from `start`, approved by the actor, if the rule allows it.
pub fn suspend_clock(
    c: &mut dyn Conn,
    data: &ClockData,
    actor: &Actor,
    clock_id: i64,
    start: Timestamp,
    reason: &str,
    now: Timestamp,
) -> AppResult<ClockView> {
    let row = repo::get_clock(c, clock_id)?;
    let rule = data
        .rules
        .get(&row.rule_code)
        .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
    let policy = rule
        .suspension
        .as_ref()
        .ok_or_else(|| AppError::with_message(ErrorCode::ValidationFailed, format!("{}不能中止", rule.name)))?;
    require_approver(actor, &policy.approvers, "中止期限")?;
    if reason.trim().is_empty() {
        return Err(AppError::field("reason", "请填写中止原因"));
    }
    if repo::suspensions_of(c, clock_id)?.iter().any(|s| s.end_at.is_none()) {
        return Err(AppError::with_message(
            ErrorCode::ValidationFailed,
            "该期限已处于中止状态",
        ));
    }
    repo::insert_suspension(
        c,
        &repo::SuspensionRow {
            id: 0,
            clock_id,
            start_at: start,
            end_at: None,
            reason: reason.trim().into(),
            approver: actor.display_name.clone(),
        },
        now,
    )?;
    record(
        c,
        actor,
        now,
        "clock.suspend",
        "clock",
        clock_id,
        NONE,
        Some(&serde_json::json!({
            "start": jingzhi_domain::time::format_ts(start), "reason": reason.trim(),
        })),
    )?;
    refresh(c, data, clock_id, now)
}

/// Ends the open suspension of a clock at `end`.
pub fn resume_clock(
    c: &mut dyn Conn,
    data: &ClockData,
    actor: &Actor,
    clock_id: i64,
    end: Timestamp,
    now: Timestamp,
) -> AppResult<ClockView> {
    if repo::end_suspension(c, clock_id, end)? == 0 {
        return Err(AppError::with_message(
            ErrorCode::ValidationFailed,
            "该期限没有正在进行的中止",
        ));
    }
    record(
        c,
        actor,
        now,
        "clock.resume",
        "clock",
        clock_id,
        NONE,
        Some(&serde_json::json!({
            "end": jingzhi_domain::time::format_ts(end),
        })),
    )?;
    refresh(c, data, clock_id, now)
}

/// Extends a clock (延长) by an approved length, if the rule allows it.
pub fn extend_clock(
    c: &mut dyn Conn,
    data: &ClockData,
    actor: &Actor,
    clock_id: i64,
    length: u32,
    reason: &str,
    now: Timestamp,
) -> AppResult<ClockView> {
    let row = repo::get_clock(c, clock_id)?;
    let rule = data
        .rules
        .get(&row.rule_code)
        .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
    let policy = rule
        .extension
        .as_ref()
        .ok_or_else(|| AppError::with_message(ErrorCode::ValidationFailed, format!("{}不能延长", rule.name)))?;
    require_approver(actor, &policy.approvers, "延长期限")?;
    if reason.trim().is_empty() {
        return Err(AppError::field("reason", "请填写延长理由"));
    }
    // Validate with the engine before storing (count and length limits).
    let (s, mut e) = inputs(c, clock_id)?;
    e.push(Extension::new(length, actor.display_name.clone(), reason.trim()));
    let input = ClockInput {
        anchor: row.anchor_at,
        suspensions: &s,
        extensions: &e,
        met_at: row.met_at,
    };
    compute(rule, &data.calendar, &input, now).map_err(clock_error)?;
    repo::insert_extension(
        c,
        &repo::ExtensionRow {
            id: 0,
            clock_id,
            length: length as i64,
            unit: None,
            reason: reason.trim().into(),
            approver: actor.display_name.clone(),
        },
        now,
    )?;
    record(
        c,
        actor,
        now,
        "clock.extend",
        "clock",
        clock_id,
        NONE,
        Some(&serde_json::json!({
            "length": length, "reason": reason.trim(),
        })),
    )?;
    refresh(c, data, clock_id, now)
}

/// Stops a clock: the obligation was met at `met_at` (state becomes met or missed).
pub fn meet_clock(
    c: &mut dyn Conn,
    data: &ClockData,
    actor: &Actor,
    clock_id: i64,
    met_at: Timestamp,
    now: Timestamp,
) -> AppResult<ClockView> {
    let row = repo::get_clock(c, clock_id)?;
    if row.met_at.is_some() {
        return Err(AppError::with_message(ErrorCode::ValidationFailed, "该期限已经结束"));
    }
    let (s, e) = inputs(c, clock_id)?;
    let input = ClockInput {
        anchor: row.anchor_at,
        suspensions: &s,
        extensions: &e,
        met_at: Some(met_at),
    };
    let d = data
        .rules
        .compute(&row.rule_code, &data.calendar, &input, now)
        .map_err(clock_error)?;
    repo::set_clock_met(c, clock_id, met_at, d.state.code(), now)?;
    record(
        c,
        actor,
        now,
        "clock.meet",
        "clock",
        clock_id,
        NONE,
        Some(&serde_json::json!({
            "met_at": jingzhi_domain::time::format_ts(met_at), "state": d.state.code(),
        })),
    )?;
    refresh(c, data, clock_id, now)
}

/// The clocks of a subject with their current computations and explanations.
pub fn clocks_of(
    c: &mut dyn Conn,
    data: &ClockData,
    subject: Subject<'_>,
    now: Timestamp,
) -> AppResult<Vec<ClockView>> {
    let rows = repo::clocks_of(c, subject.kind, subject.id)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let (s, e) = inputs(c, row.id)?;
        let input = ClockInput {
            anchor: row.anchor_at,
            suspensions: &s,
            extensions: &e,
            met_at: row.met_at,
        };
        let deadline = data
            .rules
            .compute(&row.rule_code, &data.calendar, &input, now)
            .map_err(clock_error)?;
        out.push(ClockView {
            id: row.id,
            row,
            deadline,
        });
    }
    Ok(out)
}

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    pub checked: u64,
    pub changed: u64,
    pub due_soon: u64,
    pub overdue: u64,
    pub alerts_raised: u64,
    pub errors: u64,
}

/// A year as the calendar page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    pub year: i32,
    pub data: Option<YearCalendar>,
    /// Set when the year has no data (weekends only).
    pub provisional: Option<Provisional>,
    /// Working days per month (1..=12).
    pub working_days_per_month: Vec<i64>,
}

/// How a deadline computation is asked for (CLI, API, the calculator page).
#[derive(Debug, Clone, Default)]
pub struct DeadlineRequest {
    pub rule: String,
    pub anchor: Timestamp,
    pub suspensions: Vec<Suspension>,
    pub extensions: Vec<Extension>,
    pub met_at: Option<Timestamp>,
    /// Defaults to the clock's now.
    pub now: Option<Timestamp>,
}

/// Calendar import formats.
#[derive(Debug, Clone)]
pub enum CalendarFile {
    /// `data/calendar/YYYY.toml` form.
    Toml,
    /// `date,kind,name` with the year and source declared by the importer.
    Csv { year: i32, source: String },
}

impl App {
    /// The calendar and rules, from the cache (re-read when another server changed them).
    pub fn clock_data(&self) -> AppResult<Arc<ClockData>> {
        let cached = self.clocks.data.read().unwrap_or_else(|p| p.into_inner()).clone();
        let fresh_enough = self
            .clocks
            .checked
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|t| t.elapsed() < RECHECK);
        if let Some(d) = &cached
            && fresh_enough
        {
            return Ok(d.clone());
        }
        // One check (and load) at a time: under load, every request arriving at once would
        // otherwise build its own copy.
        let _loading = self.clocks.loading.lock().unwrap_or_else(|p| p.into_inner());
        let cached = self.clocks.data.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(d) = &cached
            && self
                .clocks
                .checked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_some_and(|t| t.elapsed() < RECHECK)
        {
            return Ok(d.clone());
        }
        let version = self.store.read(|c| settings::get(c, VERSION_KEY))?.unwrap_or_default();
        let data = match cached {
            Some(d) if d.version == version && !version.is_empty() => d,
            _ => {
                let d = Arc::new(self.store.read(load)?);
                *self.clocks.data.write().unwrap_or_else(|p| p.into_inner()) = Some(d.clone());
                d
            }
        };
        *self.clocks.checked.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        Ok(data)
    }

    fn invalidate_clock_data(&self) {
        *self.clocks.data.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Fills an empty database with the shipped calendars (2025, 2026), working hours and rules,
    /// and adds shipped rules that a database made by an earlier release lacks.
    /// Returns true when anything was added. Safe to call on every start, on every server.
    pub fn ensure_clock_defaults(&self) -> AppResult<bool> {
        let now = self.now();
        let actor = system_actor();
        let added = self.store.write(|c| {
            let mut added = false;
            if repo::years(c)?.is_empty() {
                for text in DEFAULT_YEARS {
                    let y = parse_year_toml(text)
                        .map_err(|e| AppError::with_message(ErrorCode::Internal, e.to_string()))?;
                    let (yr, days) = year_rows(&y, now);
                    repo::replace_year(c, &yr, &days)?;
                    record(
                        c,
                        &actor,
                        now,
                        "calendar.default",
                        "calendar_year",
                        y.year,
                        NONE,
                        Some(&y),
                    )?;
                }
                added = true;
            }
            if settings::get(c, HOURS_KEY)?.is_none() {
                settings::set(c, HOURS_KEY, DEFAULT_HOURS, now)?;
                added = true;
            }
            // Shipped rules the database does not have yet: all of them on a new database, and
            // rules added by a later release (rules cannot be deleted, so a missing code was never
            // there; an edited rule keeps its edits).
            let have: std::collections::HashSet<String> = repo::rules(c)?.into_iter().map(|r| r.code).collect();
            let missing: Vec<(usize, (String, String))> = rule_tables(DEFAULT_RULES)?
                .into_iter()
                .enumerate()
                .filter(|(_, (code, _))| !have.contains(code))
                .collect();
            if !missing.is_empty() {
                let codes: Vec<String> = missing.iter().map(|(_, (code, _))| code.clone()).collect();
                for (i, (code, def)) in missing {
                    repo::upsert_rule(
                        c,
                        &repo::RuleRow {
                            code: code.clone(),
                            position: i as i64,
                            definition: def,
                            updated_at: now,
                        },
                    )?;
                }
                record(
                    c,
                    &actor,
                    now,
                    "clock_rule.default",
                    "clock_rule",
                    "*",
                    NONE,
                    Some(&serde_json::json!({"source": "data/clock-rules.toml", "added": codes})),
                )?;
                added = true;
            }
            if added {
                bump_version(c, now)?;
            }
            Ok::<_, AppError>(added)
        })?;
        if added {
            self.invalidate_clock_data();
        }
        Ok(added)
    }

    /// A year of the calendar (or, without data, the weekends-only view marked provisional).
    pub fn calendar_year(&self, actor: &Actor, year: i32) -> AppResult<YearView> {
        actor.require(Resource::Calendar, Action::View)?;
        if !(2000..=2099).contains(&year) {
            return Err(AppError::field("year", "年份应在2000至2099之间"));
        }
        let data = self.clock_data()?;
        let cal = &data.calendar;
        let mut per_month = Vec::with_capacity(12);
        for m in 1..=12i8 {
            let first = jiff::civil::date(year as i16, m, 1);
            let last = first.last_of_month();
            let before = first.yesterday().map_err(|_| AppError::new(ErrorCode::Internal))?;
            per_month.push(cal.working_days_between(before, last).map_err(clock_error)?);
        }
        Ok(YearView {
            year,
            data: cal.year(year).cloned(),
            provisional: provisional_for(
                cal,
                jiff::civil::date(year as i16, 1, 1),
                jiff::civil::date(year as i16, 1, 1),
            ),
            working_days_per_month: per_month,
        })
    }

    /// Years with calendar data.
    pub fn calendar_years(&self, actor: &Actor) -> AppResult<Vec<i32>> {
        actor.require(Resource::Calendar, Action::View)?;
        Ok(self.clock_data()?.calendar.years().map(|y| y.year).collect())
    }

    /// The `n`th working day after `date` (the anchor day not counted), and whether the answer is
    /// provisional.
    pub fn add_working_days(&self, actor: &Actor, date: Date, n: u32) -> AppResult<(Date, Option<Provisional>)> {
        actor.require(Resource::Calendar, Action::View)?;
        let data = self.clock_data()?;
        let d = data.calendar.add_working_days(date, n).map_err(clock_error)?;
        Ok((d, provisional_for(&data.calendar, date, d)))
    }

    /// Imports (or replaces) one year of the calendar. All or nothing; audited with the days
    /// before and after. A dry run validates and reports without writing.
    pub fn import_calendar(
        &self,
        actor: &Actor,
        text: &str,
        format: CalendarFile,
        dry_run: bool,
    ) -> AppResult<YearCalendar> {
        actor.require(Resource::Calendar, Action::Import)?;
        let y = match format {
            CalendarFile::Toml => parse_year_toml(text),
            CalendarFile::Csv { year, source } => parse_year_csv(year, &source, text),
        }
        .map_err(|e| {
            let mut err = AppError::with_message(ErrorCode::ImportRejected, format!("日历文件有错误，未导入：\n{e}"));
            err.fields = e
                .to_string()
                .lines()
                .map(|l| crate::FieldError {
                    field: "file".into(),
                    message: l.to_string(),
                })
                .collect();
            err
        })?;
        if dry_run {
            return Ok(y);
        }
        let now = self.now();
        self.store.write(|c| {
            let before: Vec<repo::DayRow> = repo::days(c, Some(y.year as i64))?;
            let before_json: Vec<String> = before
                .iter()
                .map(|d| format!("{} {} {}", d.day, d.kind, d.name))
                .collect();
            let (yr, days) = year_rows(&y, now);
            repo::replace_year(c, &yr, &days)?;
            record(
                c,
                actor,
                now,
                "calendar.import",
                "calendar_year",
                y.year,
                Some(&before_json),
                Some(&y),
            )?;
            bump_version(c, now)
        })?;
        self.invalidate_clock_data();
        Ok(y)
    }

    /// The rules with their definitions.
    pub fn clock_rules(&self, actor: &Actor) -> AppResult<Arc<ClockData>> {
        actor.require(Resource::ClockRule, Action::View)?;
        self.clock_data()
    }

    /// Replaces one rule's definition (TOML), validated together with all other rules.
    pub fn update_clock_rule(&self, actor: &Actor, code: &str, definition: &str) -> AppResult<ClockRule> {
        actor.require(Resource::ClockRule, Action::Update)?;
        let data = self.clock_data()?;
        let pos = data
            .definitions
            .iter()
            .position(|(c, _)| c == code)
            .ok_or_else(|| AppError::with_message(ErrorCode::NotFound, format!("未知的期限规则：{code}")))?;
        let mut defs = data.definitions.clone();
        let before = defs[pos].1.clone();
        defs[pos].1 = definition.trim().to_string() + "\n";
        let set = rules_from_definitions(&defs).map_err(|e| AppError::field("definition", e))?;
        let rule = set
            .get(code)
            .cloned()
            .ok_or_else(|| AppError::field("definition", format!("规则代码须保持为 {code}")))?;
        let now = self.now();
        self.store.write(|c| {
            repo::upsert_rule(
                c,
                &repo::RuleRow {
                    code: code.into(),
                    position: pos as i64,
                    definition: defs[pos].1.clone(),
                    updated_at: now,
                },
            )?;
            record(
                c,
                actor,
                now,
                "clock_rule.update",
                "clock_rule",
                code,
                Some(&before),
                Some(&defs[pos].1),
            )?;
            bump_version(c, now)
        })?;
        self.invalidate_clock_data();
        Ok(rule)
    }

    /// Computes one deadline from given facts (nothing stored): the calculator of the CLI, the API
    /// and the clocks page.
    pub fn compute_deadline(&self, actor: &Actor, req: &DeadlineRequest) -> AppResult<Deadline> {
        actor.require(Resource::Calendar, Action::View)?;
        let data = self.clock_data()?;
        let input = ClockInput {
            anchor: req.anchor,
            suspensions: &req.suspensions,
            extensions: &req.extensions,
            met_at: req.met_at,
        };
        data.rules
            .compute(&req.rule, &data.calendar, &input, req.now.unwrap_or_else(|| self.now()))
            .map_err(clock_error)
    }

    /// The due-soon / overdue sweep over every open clock: records each clock's state and raises
    /// one alert per clock and kind. Idempotent: several servers may run it at once.
    pub fn sweep_clocks(&self) -> AppResult<SweepReport> {
        let data = self.clock_data()?;
        let now = self.now();
        let sweeper = Sweeper::new(&data.rules, &data.calendar, now);
        let mut rep = SweepReport::default();
        let mut after = 0;
        const BATCH: i64 = 5_000;
        loop {
            let rows = self.store.read(|c| repo::open_clocks(c, after, BATCH))?;
            let Some(last) = rows.last().map(|r| r.id) else { break };
            let (susp, exts) = self.store.read(|c| repo::shifts_between(c, after, last))?;
            // By clock, so each clock finds its few suspensions and extensions at once.
            let mut by_clock_s: std::collections::HashMap<i64, Vec<_>> = std::collections::HashMap::new();
            for x in susp {
                by_clock_s.entry(x.clock_id).or_default().push(x);
            }
            let mut by_clock_e: std::collections::HashMap<i64, Vec<_>> = std::collections::HashMap::new();
            for x in exts {
                by_clock_e.entry(x.clock_id).or_default().push(x);
            }
            let (susp, exts) = (by_clock_s, by_clock_e);
            let mut updates = Vec::new();
            for row in &rows {
                let s: Vec<Suspension> = susp
                    .get(&row.id)
                    .into_iter()
                    .flatten()
                    .map(|x| Suspension {
                        start: x.start_at,
                        end: x.end_at,
                        reason: String::new(),
                        approver: String::new(),
                    })
                    .collect();
                let e: Vec<Extension> = exts
                    .get(&row.id)
                    .into_iter()
                    .flatten()
                    .map(|x| Extension {
                        length: x.length.max(0) as u32,
                        unit: x.unit.as_deref().and_then(jingzhi_domain::clock::ClockUnit::from_code),
                        approver: String::new(),
                        reason: String::new(),
                    })
                    .collect();
                rep.checked += 1;
                let item = jingzhi_domain::clock::OpenItem {
                    rule: &row.rule_code,
                    anchor: row.anchor_at,
                    suspensions: &s,
                    extensions: &e,
                };
                match sweeper.classify(&item) {
                    Ok(st) => {
                        match st.state {
                            ClockState::DueSoon => rep.due_soon += 1,
                            ClockState::Overdue => rep.overdue += 1,
                            _ => {}
                        }
                        if st.state.code() != row.state || st.due_at != row.due_at || st.provisional != row.provisional
                        {
                            updates.push((row.id, st));
                        }
                    }
                    Err(e) => {
                        rep.errors += 1;
                        tracing::warn!(clock = row.id, error = %e, "clock cannot be computed");
                    }
                }
            }
            let alerts: Vec<(i64, jingzhi_domain::clock::ItemStatus)> = updates
                .iter()
                .filter(|(_, s)| matches!(s.state, ClockState::DueSoon | ClockState::Overdue))
                .copied()
                .collect();
            if !updates.is_empty() {
                self.store.write(|c| {
                    for (id, st) in &updates {
                        repo::set_clock_status(c, *id, st.state.code(), st.due_at, st.provisional, now)?;
                    }
                    for (id, st) in &alerts {
                        if repo::raise_alert(c, *id, st.state.code(), st.due_at, now)? {
                            rep.alerts_raised += 1;
                        }
                    }
                    Ok::<_, AppError>(())
                })?;
            }
            rep.changed += updates.len() as u64;
            if !updates.is_empty() {
                self.queue_counts.invalidate();
                self.case_counts.clear();
            }
            after = last;
            if (rows.len() as i64) < BATCH {
                break;
            }
        }
        Ok(rep)
    }

    /// The sweep as a scheduled job: once per five-minute slot across all servers.
    pub fn scheduled_sweep(&self) -> AppResult<Option<String>> {
        let dt = jingzhi_domain::time::civil_datetime(self.now());
        let slot = format!("{}T{:02}:{:02}", dt.date(), dt.hour(), dt.minute() / 5 * 5);
        self.run_once("deadline_sweep", &slot, || {
            let r = self.sweep_clocks()?;
            Ok(format!(
                "checked={} changed={} due_soon={} overdue={} alerts={} errors={}",
                r.checked, r.changed, r.due_soon, r.overdue, r.alerts_raised, r.errors
            ))
        })
    }

    /// Counts of open clocks by state in the actor's scope.
    pub fn clock_counts(&self, actor: &Actor) -> AppResult<Vec<(String, i64)>> {
        let street = match &actor.scope {
            jingzhi_domain::org::Scope::District => None,
            jingzhi_domain::org::Scope::Street(s) => Some(s.to_string()),
            _ => return Ok(Vec::new()),
        };
        Ok(self.store.read(|c| repo::count_by_state(c, street.as_deref()))?)
    }
}

/// Remaining time as people say it: "还剩3天5小时" / "已超期2天".
pub fn remaining_text(d: &Deadline) -> String {
    let r = d.remaining;
    if d.met_at.is_some() {
        return String::new();
    }
    let abs = if r.is_negative() { -r } else { r };
    let days = abs.as_secs() / 86_400;
    let hours = abs.as_secs() % 86_400 / 3600;
    let txt = if days > 0 {
        format!("{days}天{hours}小时")
    } else {
        format!("{}小时{}分", hours, abs.as_secs() % 3600 / 60)
    };
    if r.is_negative() {
        format!("已超期{txt}")
    } else {
        format!("还剩{txt}")
    }
}

/// Zero duration, exported for templates comparing remaining time.
pub const ZERO: SignedDuration = SignedDuration::ZERO;
