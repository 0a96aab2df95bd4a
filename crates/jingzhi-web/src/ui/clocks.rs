//! 工作日历与法定期限: the calendar by year, the rules, the deadline calculator, and (for the
//! administrator) calendar import and rule editing.

use super::auth::forced_change;
use super::page::{FormState, Layout, render};
use crate::error::WebError;
use crate::extract::{FormData, User, check_csrf};
use crate::{WebState, blocking};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jingzhi_app::clocks::{CalendarFile, DeadlineRequest, remaining_text};
use jingzhi_app::{Actor, AppError, ErrorCode};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::clock::{ClockRule, DayKind, Extension, Suspension};
use jingzhi_domain::time::{civil_date, parse_instant, zh_date, zh_weekday};
use serde::Deserialize;

fn can_import(a: &Actor) -> bool {
    a.can(Resource::Calendar, Action::Import)
}

// ---------------------------------------------------------------- calendar

pub struct DayCell {
    pub day: i8,
    pub class: &'static str,
    pub mark: &'static str,
    pub title: String,
    pub today: bool,
}

pub struct MonthView {
    pub month: i8,
    pub working: i64,
    pub weeks: Vec<Vec<Option<DayCell>>>,
}

#[derive(Template)]
#[template(path = "clocks/calendar.html")]
struct CalendarPage {
    layout: Layout,
    tab: &'static str,
    can_import: bool,
    year: i32,
    year_options: Vec<i32>,
    known_years: Vec<i32>,
    provisional: Option<String>,
    source: String,
    source_url: Option<String>,
    total: i64,
    months: Vec<MonthView>,
    listed: Vec<(String, &'static str, &'static str, &'static str, String)>,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

pub async fn calendar(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let today = civil_date(s.app.now());
    let year = q.year.unwrap_or(today.year() as i32);
    let app = s.app.clone();
    let actor = a.clone();
    let (view, data, known) = blocking(move || {
        let v = app.calendar_year(&actor, year)?;
        Ok((v, app.clock_data()?, app.calendar_years(&actor)?))
    })
    .await?;
    let cal = &data.calendar;
    let mut months = Vec::new();
    for m in 1..=12i8 {
        let first = jiff::civil::date(year as i16, m, 1);
        let mut weeks: Vec<Vec<Option<DayCell>>> = Vec::new();
        let mut week: Vec<Option<DayCell>> = (1..first.weekday().to_monday_one_offset()).map(|_| None).collect();
        let mut d = first;
        while d.month() == m {
            let kind = cal.day_kind(d);
            let name = cal.holiday_name(d).unwrap_or_default().to_string();
            let (class, mark) = match kind {
                DayKind::WorkingDay => ("", ""),
                DayKind::RestDay => ("rest", ""),
                DayKind::Holiday => ("holiday", "休"),
                DayKind::MakeupWorkday => ("makeup", "班"),
            };
            week.push(Some(DayCell {
                day: d.day(),
                class,
                mark,
                title: format!(
                    "{} {} {}{}",
                    d,
                    zh_weekday(d),
                    kind.label(),
                    if name.is_empty() {
                        String::new()
                    } else {
                        format!("（{name}）")
                    }
                ),
                today: d == today,
            }));
            if week.len() == 7 {
                weeks.push(std::mem::take(&mut week));
            }
            d = d.tomorrow().map_err(|_| AppError::new(ErrorCode::Internal))?;
        }
        if !week.is_empty() {
            while week.len() < 7 {
                week.push(None);
            }
            weeks.push(week);
        }
        months.push(MonthView {
            month: m,
            working: view.working_days_per_month[(m - 1) as usize],
            weeks,
        });
    }
    let listed = view
        .data
        .as_ref()
        .map(|y| {
            y.days
                .iter()
                .map(|d| {
                    (
                        d.date.to_string(),
                        zh_weekday(d.date),
                        d.kind.code(),
                        d.kind.label(),
                        d.name.clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let this = today.year() as i32;
    let mut year_options: Vec<i32> = (this - 2..=this + 1).chain(known.iter().copied()).collect();
    year_options.push(year);
    year_options.sort_unstable();
    year_options.dedup();
    Ok(render(&CalendarPage {
        layout: Layout::new(&s, Some(&a), format!("{year}年工作日历"), "clocks"),
        tab: "calendar",
        can_import: can_import(&a),
        year,
        year_options,
        known_years: known,
        provisional: view.provisional.map(|p| p.reason),
        source: view.data.as_ref().map(|y| y.source.clone()).unwrap_or_default(),
        source_url: view.data.as_ref().and_then(|y| y.source_url.clone()),
        total: view.working_days_per_month.iter().sum(),
        months,
        listed,
    }))
}

// ---------------------------------------------------------------- rules

pub struct RuleRow {
    pub code: String,
    pub name: String,
    pub length: String,
    pub anchor: &'static str,
    pub rolling: bool,
    pub suspension: String,
    pub extension: String,
    pub source: String,
    pub confirmed: bool,
    pub note: String,
}

fn rule_row(r: &ClockRule) -> RuleRow {
    let roles = |v: &[jingzhi_domain::role::Role]| v.iter().map(|r| r.label()).collect::<Vec<_>>().join("、");
    RuleRow {
        code: r.code.clone(),
        name: r.name.clone(),
        length: format!(
            "{}{}",
            if r.direction == jingzhi_domain::clock::Direction::Before {
                "提前"
            } else {
                ""
            },
            r.unit.amount(r.length)
        ),
        anchor: r.anchor.label(),
        rolling: r.rolling,
        suspension: r
            .suspension
            .as_ref()
            .map(|p| format!("可中止（{}批准）", roles(&p.approvers)))
            .unwrap_or_else(|| "不可中止".into()),
        extension: r
            .extension
            .as_ref()
            .map(|p| {
                let mut s = format!("可延长（{}批准", roles(&p.approvers));
                if let Some(n) = p.max_count {
                    s.push_str(&format!("，至多{n}次"));
                }
                if let Some(l) = p.max_length {
                    s.push_str(&format!("，每次至多{}", p.unit.amount(l)));
                }
                s + "）"
            })
            .unwrap_or_else(|| "不可延长".into()),
        source: r.source.clone(),
        confirmed: r.confirmed,
        note: r.note.clone(),
    }
}

#[derive(Template)]
#[template(path = "clocks/rules.html")]
struct RulesPage {
    layout: Layout,
    tab: &'static str,
    can_import: bool,
    rules: Vec<RuleRow>,
}

pub async fn rules(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    let app = s.app.clone();
    let actor = a.clone();
    let data = blocking(move || app.clock_rules(&actor)).await?;
    Ok(render(&RulesPage {
        layout: Layout::new(&s, Some(&a), "期限规则", "clocks"),
        tab: "rules",
        can_import: can_import(&a),
        rules: data.rules.rules().iter().map(rule_row).collect(),
    }))
}

#[derive(Template)]
#[template(path = "clocks/rule.html")]
struct RulePage {
    layout: Layout,
    code: String,
    name: String,
    length: String,
    anchor: &'static str,
    rolling: bool,
    suspension: String,
    extension: String,
    source: String,
    note: String,
    confirmed: bool,
    can_edit: bool,
    form: FormState,
}

async fn rule_page(s: &WebState, a: &Actor, code: String, form: Option<FormState>) -> Result<RulePage, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let data = blocking(move || app.clock_rules(&actor)).await?;
    let rule = data
        .rules
        .get(&code)
        .ok_or_else(|| WebError(AppError::new(ErrorCode::NotFound)))?;
    let def = data
        .definitions
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, d)| d.clone())
        .unwrap_or_default();
    let r = rule_row(rule);
    let form = form.unwrap_or_else(|| {
        let mut f = FormState::default();
        f.set("definition", def);
        f
    });
    Ok(RulePage {
        layout: Layout::new(s, Some(a), r.name.clone(), "clocks"),
        code: r.code,
        name: r.name,
        length: r.length,
        anchor: r.anchor,
        rolling: r.rolling,
        suspension: r.suspension,
        extension: r.extension,
        source: r.source,
        note: r.note,
        confirmed: r.confirmed,
        can_edit: a.can(Resource::ClockRule, Action::Update),
        form,
    })
}

pub async fn rule(State(s): State<WebState>, User(a): User, Path(code): Path<String>) -> Result<Response, WebError> {
    forced_change(&a)?;
    Ok(render(&rule_page(&s, &a, code, None).await?))
}

pub async fn update_rule(
    State(s): State<WebState>,
    User(a): User,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let app = s.app.clone();
    let actor = a.clone();
    let def = form.get("definition").to_string();
    let c = code.clone();
    match blocking(move || app.update_clock_rule(&actor, &c, &def)).await {
        Ok(_) => Ok(Redirect::to(&format!("/clocks/rules/{code}")).into_response()),
        Err(e) if e.kind() == jingzhi_app::ErrorKind::Invalid => {
            let page = rule_page(&s, &a, code, Some(FormState::from_pairs(form.0).with_error(&e))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- calculator

pub struct ResultView {
    pub rule_name: String,
    pub due: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub explanation: String,
    pub remaining: String,
    pub provisional: Option<String>,
}

#[derive(Template)]
#[template(path = "clocks/compute.html")]
struct ComputePage {
    layout: Layout,
    tab: &'static str,
    can_import: bool,
    rules: Vec<(String, String)>,
    form: FormState,
    result: Option<ResultView>,
}

async fn compute_page(
    s: &WebState,
    a: &Actor,
    form: FormState,
    result: Option<ResultView>,
) -> Result<ComputePage, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let data = blocking(move || app.clock_rules(&actor)).await?;
    Ok(ComputePage {
        layout: Layout::new(s, Some(a), "期限计算", "clocks"),
        tab: "compute",
        can_import: can_import(a),
        rules: data
            .rules
            .rules()
            .iter()
            .map(|r| (r.code.clone(), format!("{}（{}）", r.name, r.unit.amount(r.length))))
            .collect(),
        form,
        result,
    })
}

pub async fn compute_form(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    let mut f = FormState::default();
    f.set("rule", "case_decision_90d");
    f.set("from", civil_date(s.app.now()).to_string());
    Ok(render(&compute_page(&s, &a, f, None).await?))
}

pub async fn compute(State(s): State<WebState>, User(a): User, form: FormData) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let mut errors = Vec::new();
    let mut at = |field: &str, v: &str| match parse_instant(v) {
        Ok(t) => Some(t),
        Err(m) => {
            errors.push(jingzhi_app::FieldError {
                field: field.into(),
                message: m,
            });
            None
        }
    };
    let anchor = at("from", form.get("from"));
    let mut suspensions = Vec::new();
    if !form.get("s_start").trim().is_empty() {
        let start = at("suspension", form.get("s_start"));
        let end = if form.get("s_end").trim().is_empty() {
            None
        } else {
            at("suspension", form.get("s_end"))
        };
        if let Some(start) = start {
            let reason = if form.get("s_reason").trim().is_empty() {
                "中止"
            } else {
                form.get("s_reason").trim()
            };
            suspensions.push(Suspension {
                start,
                end,
                reason: reason.into(),
                approver: String::new(),
            });
        }
    }
    let met = if form.get("met").trim().is_empty() {
        None
    } else {
        at("met", form.get("met"))
    };
    let mut extensions = Vec::new();
    if !form.get("e_length").trim().is_empty() {
        match form.get("e_length").trim().parse::<u32>() {
            Ok(n) => extensions.push(Extension::new(n, form.get("e_approver").trim(), "批准延长")),
            Err(_) => errors.push(jingzhi_app::FieldError {
                field: "extension".into(),
                message: "延长长度应为正整数".into(),
            }),
        }
    }
    let state = FormState::from_pairs(form.0.clone());
    if !errors.is_empty() || anchor.is_none() {
        let e = AppError::fields(errors);
        let page = compute_page(&s, &a, state.with_error(&e), None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    }
    let req = DeadlineRequest {
        rule: form.get("rule").to_string(),
        anchor: anchor.expect("checked"),
        suspensions,
        extensions,
        met_at: met,
        now: None,
    };
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.compute_deadline(&actor, &req)).await {
        Ok(d) => {
            let result = ResultView {
                rule_name: d.rule_name.clone(),
                due: format!("{}（{}）", zh_date(d.due_date), zh_weekday(d.due_date)),
                state: d.state.code(),
                state_label: d.state.label(),
                explanation: d.explanation(),
                remaining: remaining_text(&d),
                provisional: d.provisional.as_ref().map(|p| p.reason.clone()),
            };
            Ok(render(&compute_page(&s, &a, state, Some(result)).await?))
        }
        Err(e) if e.kind() == jingzhi_app::ErrorKind::Invalid => {
            let page = compute_page(&s, &a, state.with_error(&e), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- import

#[derive(Template)]
#[template(path = "clocks/import.html")]
struct ImportPage {
    layout: Layout,
    tab: &'static str,
    can_import: bool,
    form: FormState,
    problems: Vec<String>,
    done: Option<String>,
}

fn import_page(s: &WebState, a: &Actor, form: FormState, problems: Vec<String>, done: Option<String>) -> ImportPage {
    ImportPage {
        layout: Layout::new(s, Some(a), "导入工作日历", "clocks"),
        tab: "import",
        can_import: true,
        form,
        problems,
        done,
    }
}

pub async fn import_form(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    a.require(Resource::Calendar, Action::Import)?;
    let mut f = FormState::default();
    f.set("year", (civil_date(s.app.now()).year() + 1).to_string());
    f.set("dry_run", "on");
    Ok(render(&import_page(&s, &a, f, Vec::new(), None)))
}

pub async fn import(State(s): State<WebState>, User(a): User, mut mp: Multipart) -> Result<Response, WebError> {
    let mut fields = Vec::new();
    let mut file_text = String::new();
    while let Ok(Some(field)) = mp.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|_| WebError(AppError::new(ErrorCode::BadRequest)))?;
        if bytes.len() > 1_000_000 {
            return Err(WebError(AppError::new(ErrorCode::PayloadTooLarge)));
        }
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
            WebError(AppError::with_message(
                ErrorCode::BadRequest,
                "文件须为 UTF-8 编码的文本",
            ))
        })?;
        if name == "file" {
            file_text = text;
        } else {
            fields.push((name, text));
        }
    }
    let form = FormData(fields);
    check_csrf(&a, &form)?;
    let content = if file_text.trim().is_empty() {
        form.get("content").to_string()
    } else {
        file_text
    };
    let dry = form.checked("dry_run");
    let mut state = FormState::from_pairs(form.0.clone());
    state.set("content", content.clone());
    let format = if form.get("format") == "toml" {
        CalendarFile::Toml
    } else {
        match form.get("year").trim().parse::<i32>() {
            Ok(y) => CalendarFile::Csv {
                year: y,
                source: form.get("source").trim().to_string(),
            },
            Err(_) => {
                let e = AppError::field("year", "CSV 格式须填写年份");
                return Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    render(&import_page(&s, &a, state.with_error(&e), Vec::new(), None)),
                )
                    .into_response());
            }
        }
    };
    if content.trim().is_empty() {
        let e = AppError::field("content", "请上传文件或粘贴内容");
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&import_page(&s, &a, state.with_error(&e), Vec::new(), None)),
        )
            .into_response());
    }
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.import_calendar(&actor, &content, format, dry)).await {
        Ok(y) => {
            let msg = format!(
                "{}{}年：节假日 {} 天，调休上班 {} 天。",
                if dry {
                    "校验通过（未导入）："
                } else {
                    "已导入"
                },
                y.year,
                y.holidays().count(),
                y.makeup_workdays().count()
            );
            if dry {
                Ok(render(&import_page(&s, &a, state, Vec::new(), Some(msg))))
            } else {
                Ok(Redirect::to(&format!("/clocks?year={}", y.year)).into_response())
            }
        }
        Err(e) if e.code == ErrorCode::ImportRejected => {
            let problems: Vec<String> = e.fields.iter().map(|f| f.message.clone()).collect();
            let mut st = state;
            st.error = Some("日历文件有错误，未导入任何数据。".into());
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&import_page(&s, &a, st, problems, None)),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
