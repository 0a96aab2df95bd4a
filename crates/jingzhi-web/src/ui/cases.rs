//! 办案: the case list (tabs, filters, Excel export), opening a case (立案 from a verified clue or
//! directly; 当场处罚), the case page (state, clocks with explanations, parties, officers, evidence
//! and records, documents, timeline, one form per step the viewer may take — refused steps show
//! their article), issuing and printing documents, and the public 公示 page.

use super::auth::forced_change;
use super::clues::{Submitted, content_type_of};
use super::page::{FormState, Layout, file_response, render, xlsx_response};
use crate::error::WebError;
use crate::extract::{FormData, User, check_csrf, urlencode};
use crate::{WebState, blocking};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jingzhi_app::case_people::OfficerChoice;
use jingzhi_app::cases::{CaseList, CaseListRequest, CaseStep, CaseView, Inbox, NewEvidence, NewRecord, OpenCase};
use jingzhi_app::clocks::remaining_text;
use jingzhi_app::{Actor, AppError, ErrorCode, ErrorKind, FieldError};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::case::{
    Adjustment, CaseAction, CaseStatus, ClosingGround, CollectionGround, Decision, DecisionKind, Discretion,
    DocumentKind, EvidenceType, IdType, NoPenaltyGround, OnSpotCollection, Party, PartyKind, Penalty, PenaltyKind,
    ProcedureKind, ReviewFlags, ServiceMethod, ServiceRecord, SignalKind, SignatureStatus, roles_for,
};
use jingzhi_domain::matter::{Catalogue, DiscretionLevel};
use jingzhi_domain::time::{civil_datetime, parse_instant, short_datetime};
use jingzhi_office::{Cell, Sheet};
use serde::Deserialize;

type Opt = (String, String);

const PAGE_SIZE: i64 = 50;

/// Refusals the page shows in place (with what was typed), rather than as an error page: invalid
/// input, a refused gate or role, a stale version.
fn stays_on_page(e: &AppError) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Invalid | ErrorKind::Forbidden | ErrorKind::Conflict
    )
}

fn fe(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        message: message.into(),
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn options<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<Opt> {
    all.iter()
        .map(|x| (code(*x).to_string(), label(*x).to_string()))
        .collect()
}

fn matter_name(cat: &Catalogue, code: &str) -> String {
    cat.get(code)
        .map(|m| m.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn yuan(n: i64) -> String {
    format!("{} 元", jingzhi_domain::case::sheet::yuan_with_separators(n))
}

fn may_open(a: &Actor) -> bool {
    a.can(Resource::Case, Action::Create)
        && a.roles
            .iter()
            .any(|r| roles_for(CaseAction::File).contains(r) || roles_for(CaseAction::DecideOnSpot).contains(r))
}

// ---------------------------------------------------------------- the list

/// The tabs of the case list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Open,
    Approval,
    LegalReview,
    Overdue,
    All,
}

impl Tab {
    fn code(self) -> &'static str {
        match self {
            Tab::Open => "open",
            Tab::Approval => "approval",
            Tab::LegalReview => "legal_review",
            Tab::Overdue => "overdue",
            Tab::All => "all",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Tab::Open => "办理中",
            Tab::Approval => "待审批",
            Tab::LegalReview => "待法制审核",
            Tab::Overdue => "三超期",
            Tab::All => "全部案件",
        }
    }
    fn of(code: &str) -> Option<Tab> {
        [Tab::Open, Tab::Approval, Tab::LegalReview, Tab::Overdue, Tab::All]
            .into_iter()
            .find(|t| t.code() == code)
    }
}

fn tabs_for(a: &Actor) -> Vec<Tab> {
    let mut v = vec![Tab::Open];
    if a.roles.iter().any(|r| {
        matches!(
            r,
            jingzhi_domain::role::Role::TeamLeader | jingzhi_domain::role::Role::BureauLeader
        )
    }) {
        v.push(Tab::Approval);
    }
    if a.has_role(jingzhi_domain::role::Role::LegalReviewer) {
        v.push(Tab::LegalReview);
    }
    v.push(Tab::Overdue);
    v.push(Tab::All);
    v
}

pub struct TabLink {
    pub label: &'static str,
    pub active: bool,
    pub href: String,
}

pub struct CaseListRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub party: String,
    pub matter: String,
    pub procedure: &'static str,
    pub status: &'static str,
    pub status_code: &'static str,
    pub filed: String,
    pub amount: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    layout: Layout,
    tabs: Vec<TabLink>,
    tab: &'static str,
    tab_label: &'static str,
    rows: Vec<CaseListRow>,
    total: i64,
    total_capped: bool,
    q: String,
    status: String,
    procedure: String,
    matter: String,
    overdue_kind: String,
    statuses: Vec<Opt>,
    procedures: Vec<Opt>,
    matters: Vec<Opt>,
    overdue_kinds: Vec<Opt>,
    can_open: bool,
    export_href: String,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    filtered: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    tab: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    matter: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    page: String,
}

impl ListQuery {
    fn tab(&self, tabs: &[Tab]) -> Tab {
        Tab::of(&self.tab).filter(|t| tabs.contains(t)).unwrap_or(tabs[0])
    }

    fn page(&self) -> i64 {
        self.page.trim().parse::<i64>().unwrap_or(1).max(1)
    }

    fn request(&self, tab: Tab, limit: i64) -> CaseListRequest {
        let overdue = SignalKind::from_code(&self.overdue).filter(|k| k.is_overdue());
        CaseListRequest {
            status: CaseStatus::from_code(&self.status),
            procedure: ProcedureKind::from_code(&self.procedure),
            matter_code: opt(&self.matter),
            q: self.q.trim().to_string(),
            overdue: match tab {
                Tab::Overdue => Some(overdue.unwrap_or(SignalKind::OverdueDecision)),
                _ => overdue,
            },
            open_only: tab == Tab::Open,
            limit,
            offset: (self.page() - 1) * limit,
            ..CaseListRequest::default()
        }
    }

    fn href(&self, base: &str, tab: &str, page: i64) -> String {
        let page = if page > 1 { page.to_string() } else { String::new() };
        let pairs = [
            ("tab", tab),
            ("q", self.q.as_str()),
            ("status", self.status.as_str()),
            ("procedure", self.procedure.as_str()),
            ("matter", self.matter.as_str()),
            ("overdue", self.overdue.as_str()),
            ("page", page.as_str()),
        ];
        let qs = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        format!("{base}?{qs}")
    }
}

fn load_list(app: &jingzhi_app::App, a: &Actor, tab: Tab, q: &ListQuery, limit: i64) -> Result<CaseList, AppError> {
    match tab {
        Tab::Approval => app.case_inbox(a, Inbox::Approval),
        Tab::LegalReview => app.case_inbox(a, Inbox::LegalReview),
        _ => app.list_cases(a, &q.request(tab, limit)),
    }
}

fn row_of(k: &jingzhi_app::cases::Case, cat: &Catalogue, overdue: bool) -> CaseListRow {
    CaseListRow {
        id: k.id,
        number: k.number.clone().unwrap_or_else(|| "（未编号）".into()),
        title: k.title.clone(),
        party: k.party_name.clone(),
        matter: matter_name(cat, &k.matter_code),
        procedure: k.procedure.label(),
        status: k.status.label(),
        status_code: k.status.code(),
        filed: short_datetime(k.filed_at),
        amount: k.amount_yuan.map(yuan).unwrap_or_default(),
        overdue,
    }
}

pub async fn list(State(s): State<WebState>, User(a): User, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    forced_change(&a)?;
    a.require(Resource::Case, Action::View)?;
    let tabs = tabs_for(&a);
    let tab = q.tab(&tabs);
    let app = s.app.clone();
    let actor = a.clone();
    let q2 = q.clone();
    let (list, cat) = blocking(move || {
        let list = load_list(&app, &actor, tab, &q2, PAGE_SIZE)?;
        Ok((list, app.catalogue(&actor)?))
    })
    .await?;
    let page = q.page();
    let pages = ((list.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let matters = cat
        .catalogue
        .matters()
        .iter()
        .map(|m| (m.code.clone(), m.name.clone()))
        .collect();
    let rows = list
        .rows
        .iter()
        .map(|k| row_of(k, &cat.catalogue, tab == Tab::Overdue))
        .collect();
    Ok(render(&ListPage {
        layout: Layout::new(&s, Some(&a), format!("办案 · {}", tab.label()), "cases"),
        tabs: tabs
            .iter()
            .map(|t| TabLink {
                label: t.label(),
                active: *t == tab,
                href: q.href("/cases", t.code(), 1),
            })
            .collect(),
        tab: tab.code(),
        tab_label: tab.label(),
        rows,
        total: list.total,
        total_capped: list.total_capped,
        q: q.q.clone(),
        status: q.status.clone(),
        procedure: q.procedure.clone(),
        matter: q.matter.clone(),
        overdue_kind: q.overdue.clone(),
        statuses: options(CaseStatus::ALL, CaseStatus::code, CaseStatus::label),
        procedures: options(ProcedureKind::ALL, ProcedureKind::code, ProcedureKind::label),
        matters,
        overdue_kinds: SignalKind::ALL
            .iter()
            .filter(|k| k.is_overdue())
            .map(|k| (k.code().to_string(), k.label().to_string()))
            .collect(),
        can_open: may_open(&a),
        export_href: q.href("/cases.xlsx", tab.code(), 1),
        page,
        pages,
        prev_href: (page > 1).then(|| q.href("/cases", tab.code(), page - 1)),
        // Past a capped count the pages go on while they are full.
        next_href: (page < pages || (list.total_capped && list.rows.len() as i64 == PAGE_SIZE))
            .then(|| q.href("/cases", tab.code(), page + 1)),
        filtered: !(q.q.is_empty() && q.status.is_empty() && q.procedure.is_empty() && q.matter.is_empty()),
    }))
}

/// The list as an Excel file (the same tab and filters, at most 100,000 rows).
pub async fn export(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    // Whoever sees the list may take it away as a spreadsheet (the same scope and filters).
    a.require(Resource::Case, Action::View)?;
    let tabs = tabs_for(&a);
    let tab = q.tab(&tabs);
    let app = s.app.clone();
    let actor = a.clone();
    let (list, cat) = blocking(move || {
        let list = load_list(&app, &actor, tab, &q, 100_000)?;
        Ok((list, app.catalogue(&actor)?))
    })
    .await?;
    let headers = [
        "案件编号",
        "案由",
        "当事人",
        "执法事项",
        "程序",
        "状态",
        "立案时间",
        "决定时间",
        "罚款（元）",
        "地点",
    ];
    let rows = list
        .rows
        .iter()
        .map(|k| {
            vec![
                Cell::Text(k.number.clone().unwrap_or_default()),
                Cell::Text(k.title.clone()),
                Cell::Text(k.party_name.clone()),
                Cell::Text(matter_name(&cat.catalogue, &k.matter_code)),
                Cell::Text(k.procedure.label().into()),
                Cell::Text(k.status.label().into()),
                Cell::Text(short_datetime(k.filed_at)),
                Cell::Text(k.decided_at.map(short_datetime).unwrap_or_default()),
                k.amount_yuan.map(Cell::Int).unwrap_or(Cell::Empty),
                Cell::Text(k.place.clone()),
            ]
        })
        .collect();
    let red_rows = if tab == Tab::Overdue {
        (0..list.rows.len()).collect()
    } else {
        Vec::new()
    };
    let sheet = Sheet {
        name: "案件".into(),
        title: format!("案件 · {}", tab.label()),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
        red_rows,
    };
    xlsx_response(&format!("案件-{}.xlsx", tab.label()), sheet)
}

// ---------------------------------------------------------------- opening a case

#[derive(Template)]
#[template(path = "cases/new.html")]
struct NewPage {
    layout: Layout,
    form: FormState,
    clue_no: String,
    matters: Vec<Opt>,
    officers: Vec<Opt>,
    party_kinds: Vec<Opt>,
    id_types: Vec<Opt>,
    penalty_kinds: Vec<Opt>,
    decision_kinds: Vec<Opt>,
    no_penalty_grounds: Vec<Opt>,
    levels: Vec<Opt>,
    adjustments: Vec<Opt>,
    may_file: bool,
    may_decide_on_spot: bool,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    clue: String,
    #[serde(default)]
    procedure: String,
}

fn officer_options(v: &[OfficerChoice]) -> Vec<Opt> {
    v.iter()
        .map(|o| {
            (
                o.user_id.to_string(),
                match &o.certificate_no {
                    Some(c) => format!("{}（{}，执法证 {c}）", o.name, o.org_name),
                    None => format!("{}（{}，无执法证）", o.name, o.org_name),
                },
            )
        })
        .collect()
}

async fn new_page(
    s: &WebState,
    a: &Actor,
    form: FormState,
    status: axum::http::StatusCode,
) -> Result<Response, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let clue_id = form.v("clue_id").parse::<i64>().ok();
    let (cat, officers, clue_no) = blocking(move || {
        let clue_no = match clue_id {
            Some(id) => app.clue_view(&actor, id).map(|v| v.clue.no).unwrap_or_default(),
            None => String::new(),
        };
        Ok((app.catalogue(&actor)?, app.officer_choices(&actor)?, clue_no))
    })
    .await?;
    let may = |act: CaseAction| a.roles.iter().any(|r| roles_for(act).contains(r));
    let page = NewPage {
        layout: Layout::new(s, Some(a), "立案", "cases"),
        clue_no,
        matters: cat
            .catalogue
            .matters()
            .iter()
            .map(|m| (m.code.clone(), format!("{} {}", m.code, m.name)))
            .collect(),
        officers: officer_options(&officers),
        party_kinds: options(PartyKind::ALL, PartyKind::code, PartyKind::label),
        id_types: options(IdType::ALL, IdType::code, IdType::label),
        penalty_kinds: [PenaltyKind::Warning, PenaltyKind::Fine]
            .iter()
            .map(|k| (k.code().to_string(), k.label().to_string()))
            .collect(),
        decision_kinds: vec![("penalty".into(), DecisionKind::Penalty.label().into())],
        no_penalty_grounds: Vec::new(),
        levels: options(DiscretionLevel::ALL, DiscretionLevel::code, DiscretionLevel::label),
        adjustments: options(Adjustment::ALL, Adjustment::code, Adjustment::label),
        may_file: may(CaseAction::File),
        may_decide_on_spot: may(CaseAction::DecideOnSpot),
        form,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn new_form(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    a.require(Resource::Case, Action::Create)?;
    let mut form = FormState::default();
    // Officers decide on the spot; filing an ordinary case is a leader's (roles_for(File)).
    let may_file = a.roles.iter().any(|r| roles_for(CaseAction::File).contains(r));
    let default = if may_file {
        ProcedureKind::Ordinary
    } else {
        ProcedureKind::Simple
    };
    form.set(
        "procedure",
        ProcedureKind::from_code(&q.procedure).unwrap_or(default).code(),
    );
    form.set("party_kind", "citizen");
    form.set("id_type", "resident_id");
    if let Ok(id) = q.clue.trim().parse::<i64>() {
        form.set("clue_id", id.to_string());
        let app = s.app.clone();
        let actor = a.clone();
        if let Ok(v) = blocking(move || app.clue_view(&actor, id)).await {
            form.set("matter_code", v.clue.matter_code.clone());
            form.set("place", v.clue.address.clone());
            form.set("summary", v.clue.description.clone());
            form.set("title", format!("{}（线索{}）", v.clue.address, v.clue.no));
        }
    }
    new_page(&s, &a, form, axum::http::StatusCode::OK).await
}

/// The party of the form (validated by the domain: ID check digits, required fields); each
/// problem goes next to its field.
fn party_of(f: &FormData) -> Result<Party, Vec<FieldError>> {
    let Some(kind) = PartyKind::from_code(f.get("party_kind")) else {
        return Err(vec![fe("party_kind", "请选择当事人类型")]);
    };
    let id_type = IdType::from_code(f.get("id_type")).unwrap_or(if kind == PartyKind::Citizen {
        IdType::ResidentId
    } else {
        IdType::Uscc
    });
    let p = Party {
        kind,
        name: f.get("party_name").trim().to_string(),
        id_type,
        id_number: f.get("id_number").trim().to_string(),
        legal_representative: opt(f.get("legal_representative")),
        address: f.get("party_address").trim().to_string(),
        phone: opt(f.get("party_phone")),
    };
    p.validated().map_err(|e| {
        e.messages
            .iter()
            .map(|m| {
                let field = if m.contains("法定代表人") || m.contains("负责人") {
                    "legal_representative"
                } else if m.contains("地址") || m.contains("住所") {
                    "party_address"
                } else if m.contains("证件") || m.contains("身份证") || m.contains("代码") || m.contains("号码")
                {
                    "id_number"
                } else if m.contains("电话") {
                    "party_phone"
                } else {
                    "party_name"
                };
                fe(field, m.clone())
            })
            .collect()
    })
}

fn int_yuan(f: &FormData, name: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let v = f.get(name).trim().replace([',', '，'], "");
    if v.is_empty() {
        return None;
    }
    match v.parse::<i64>() {
        Ok(n) if n >= 0 => Some(n),
        _ => {
            errors.push(fe(name, "请填写整数金额（元）"));
            None
        }
    }
}

/// The decision fields of a form: kind, up to two penalties, discretion; `prefix` is "" or "p_".
fn decision_of(f: &FormData, errors: &mut Vec<FieldError>) -> Option<Decision> {
    let kind = DecisionKind::from_code(f.get("decision_kind")).unwrap_or(DecisionKind::Penalty);
    match kind {
        DecisionKind::NoPenalty => {
            let ground = NoPenaltyGround::from_code(f.get("no_penalty_ground"));
            if ground.is_none() {
                errors.push(fe("no_penalty_ground", "请选择不予处罚的理由"));
                return None;
            }
            Some(Decision::no_penalty(ground.expect("checked")))
        }
        DecisionKind::TransferJudicial => Some(Decision::transfer_judicial()),
        DecisionKind::Penalty => {
            let mut penalties = Vec::new();
            for i in 1..=2 {
                let Some(k) = PenaltyKind::from_code(f.get(&format!("penalty{i}_kind"))) else {
                    continue;
                };
                let amount = int_yuan(f, &format!("penalty{i}_amount"), errors);
                let mut p = Penalty::of(k);
                p.amount_yuan = amount.filter(|_| k.has_amount());
                p.detail = f.get(&format!("penalty{i}_detail")).trim().to_string();
                if k.requires_amount() && p.amount_yuan.is_none() {
                    errors.push(fe(&format!("penalty{i}_amount"), "请填写金额"));
                }
                penalties.push(p);
            }
            if penalties.is_empty() {
                errors.push(fe("penalty1_kind", "请选择处罚种类"));
                return None;
            }
            let discretion = Discretion {
                level: DiscretionLevel::from_code(f.get("discretion_level")),
                adjustment: Adjustment::from_code(f.get("adjustment")).unwrap_or_default(),
                serious: f.checked("serious"),
                reasons: f.get("discretion_reasons").trim().to_string(),
                outside_band_reason: f.get("outside_band_reason").trim().to_string(),
                base_yuan: int_yuan(f, "base_yuan", errors),
            };
            Some(Decision::penalty(penalties, discretion))
        }
    }
}

fn ids_of(f: &FormData, name: &str) -> Vec<i64> {
    f.all(name)
        .iter()
        .filter_map(|x| x.trim().parse::<i64>().ok())
        .collect()
}

fn open_case_of(f: &FormData) -> Result<OpenCase, AppError> {
    let mut errors = Vec::new();
    let procedure = ProcedureKind::from_code(f.get("procedure")).unwrap_or(ProcedureKind::Ordinary);
    let party = party_of(f).map_err(|e| errors.extend(e)).ok();
    let matter_code = f.get("matter_code").trim().to_string();
    if matter_code.is_empty() {
        errors.push(fe("matter_code", "请选择执法事项"));
    }
    let title = f.get("title").trim().to_string();
    if title.is_empty() {
        errors.push(fe("title", "请填写案由"));
    }
    let decision = if procedure == ProcedureKind::Simple {
        decision_of(f, &mut errors)
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    Ok(OpenCase {
        procedure,
        clue_id: f.opt_i64("clue_id"),
        matter_code,
        variant: opt(f.get("variant")),
        street_code: None,
        title,
        summary: f.get("summary").trim().to_string(),
        place: f.get("place").trim().to_string(),
        party: party.expect("no errors"),
        officer_ids: ids_of(f, "officer_ids"),
        reason: f.get("reason").trim().to_string(),
        decision,
    })
}

pub async fn create(State(s): State<WebState>, User(a): User, form: FormData) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let state = FormState::from_pairs(form.0.clone());
    let app = s.app.clone();
    let actor = a.clone();
    let r = blocking(move || {
        let n = open_case_of(&form)?;
        app.open_case(&actor, &n)
    })
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}?msg=opened")).into_response()),
        Err(e) if matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Conflict) => {
            let status = crate::error::status_of(&e);
            new_page(&s, &a, state.with_error(&e), status).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- the case page

pub struct ClockRow {
    pub name: String,
    pub class: &'static str,
    pub state: &'static str,
    pub due: String,
    pub remaining: String,
    pub met: String,
    pub explanation: String,
    pub provisional: Option<String>,
}

pub struct StepView {
    pub code: &'static str,
    pub label: &'static str,
    /// The status it leads to, or the refusal with its article.
    pub to: String,
    pub refusal: Option<String>,
    pub form: FormState,
    pub open: bool,
    pub needs_reason: bool,
    pub reason_label: &'static str,
    pub decision: bool,
    pub flags: bool,
    pub notice: bool,
    pub service: bool,
    pub closing: bool,
    pub collection: bool,
    pub at: bool,
    pub at_label: &'static str,
    pub hearing_notice: bool,
    pub correction: bool,
    pub execution: bool,
}

pub struct EvidenceView {
    pub kind: &'static str,
    pub title: String,
    pub officers: String,
    pub at: String,
    pub place: String,
    pub signature: String,
    pub file: Option<String>,
}

pub struct DocView {
    pub id: i64,
    pub kind: &'static str,
    pub number: String,
    pub at: String,
    pub by: String,
    pub sha: String,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub change: String,
    pub note: String,
}

pub struct SignalView {
    pub label: &'static str,
    pub text: String,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "cases/show.html")]
struct ShowPage {
    layout: Layout,
    id: i64,
    version: i64,
    number: String,
    title: String,
    status: &'static str,
    status_code: &'static str,
    procedure: &'static str,
    facts: Vec<(&'static str, String)>,
    summary: String,
    parties: Vec<Vec<(&'static str, String)>>,
    officers: Vec<String>,
    clocks: Vec<ClockRow>,
    signals: Vec<SignalView>,
    steps: Vec<StepView>,
    refused: Vec<StepView>,
    evidence: Vec<EvidenceView>,
    records: Vec<(String, String, String, String, String)>,
    documents: Vec<DocView>,
    issuable: Vec<Opt>,
    events: Vec<EventView>,
    sees_evidence: bool,
    can_add_evidence: bool,
    evidence_form: FormState,
    record_form: FormState,
    officer_options: Vec<Opt>,
    evidence_types: Vec<Opt>,
    signatures: Vec<Opt>,
    penalty_kinds: Vec<Opt>,
    decision_kinds: Vec<Opt>,
    no_penalty_grounds: Vec<Opt>,
    levels: Vec<Opt>,
    adjustments: Vec<Opt>,
    service_methods: Vec<Opt>,
    closing_grounds: Vec<Opt>,
    collection_grounds: Vec<Opt>,
    publicity: Option<String>,
    error: Option<String>,
}

/// What failed on the page, re-rendered with the message and what was typed.
enum Failed {
    Step(CaseAction, FormState),
    Evidence(FormState),
    Record(FormState),
    Other(String),
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    msg: String,
}

fn step_view(action: CaseAction, outcome: &Result<CaseStatus, String>, form: Option<FormState>) -> StepView {
    use CaseAction as A;
    let reason_label = match action {
        A::ReceiveStatement => "陈述申辩要点",
        A::HandleStatements => "复核意见",
        A::CloseInvestigation => "调查终结报告要点",
        A::OrderCorrection => "责令改正内容和期限",
        A::Close => "结案意见",
        A::Withdraw => "撤销立案理由",
        A::ApproveReview | A::PassLegalReview | A::FailLegalReview | A::ConcludeDiscussion => "审核意见",
        _ => "意见或说明",
    };
    let open = form.is_some();
    StepView {
        code: action.code(),
        label: action.label(),
        to: match outcome {
            Ok(s) => s.label().to_string(),
            Err(_) => String::new(),
        },
        refusal: outcome.as_ref().err().cloned(),
        form: form.unwrap_or_default(),
        open,
        needs_reason: !matches!(
            action,
            A::StartInvestigation | A::RequestHearing | A::RecordPaid | A::Serve | A::Decide | A::CollectOnSpot
        ),
        reason_label,
        decision: matches!(action, A::SubmitReview | A::Decide),
        flags: matches!(action, A::SubmitReview | A::ApproveReview),
        notice: action == A::SendPriorNotice,
        service: action == A::Serve,
        closing: action == A::Close,
        collection: action == A::CollectOnSpot,
        at: matches!(
            action,
            A::SendPriorNotice
                | A::ReceiveStatement
                | A::RequestHearing
                | A::HoldHearing
                | A::Decide
                | A::Serve
                | A::RecordPaid
                | A::SendReminder
                | A::ImposeSurcharge
                | A::ApplyCourtEnforcement
                | A::SubstitutePerform
                | A::CompleteExecution
                | A::CollectOnSpot
        ),
        at_label: match action {
            A::Serve => "送达时间",
            A::HoldHearing => "听证时间",
            A::RecordPaid => "缴款时间",
            A::SendPriorNotice => "告知书送达时间",
            A::RequestHearing => "申请听证时间",
            _ => "发生时间",
        },
        hearing_notice: action == A::HoldHearing,
        correction: action == A::OrderCorrection,
        execution: matches!(
            action,
            A::ImposeSurcharge | A::SendReminder | A::SubstitutePerform | A::ApplyCourtEnforcement
        ),
    }
}

struct PageData {
    view: CaseView,
    cat: std::sync::Arc<jingzhi_app::intake::IntakeData>,
    officers: Vec<OfficerChoice>,
}

async fn load(s: &WebState, a: &Actor, id: i64) -> Result<PageData, AppError> {
    let app = s.app.clone();
    let actor = a.clone();
    blocking(move || {
        let view = app.case_view(&actor, id)?;
        // The officer lists feed only the forms of those who may change the case.
        let officers = if actor.can(Resource::Case, Action::Update) && view.case.status.is_open() {
            app.officer_choices(&actor)?
        } else {
            Vec::new()
        };
        Ok(PageData {
            view,
            cat: app.catalogue(&actor)?,
            officers,
        })
    })
    .await
}

fn flash_text(msg: &str) -> Option<&'static str> {
    Some(match msg {
        "opened" => "已立案。",
        "done" => "已办理。",
        "evidence" => "证据已登记。",
        "record" => "笔录已登记。",
        "officers" => "承办人员已调整。",
        "issued" => "文书已签发并固定。",
        _ => return None,
    })
}

fn show_page(s: &WebState, a: &Actor, d: PageData, failed: Option<Failed>, flash: Option<&str>) -> ShowPage {
    let v = &d.view;
    let k = &v.case;
    let (failed_step, evidence_form, record_form, error) = match failed {
        Some(Failed::Step(act, f)) => {
            let e = f.error.clone();
            (Some((act, f)), FormState::default(), FormState::default(), e)
        }
        Some(Failed::Evidence(f)) => {
            let e = f.error.clone();
            (None, f, FormState::default(), e)
        }
        Some(Failed::Record(f)) => {
            let e = f.error.clone();
            (None, FormState::default(), f, e)
        }
        Some(Failed::Other(m)) => (None, FormState::default(), FormState::default(), Some(m)),
        None => (None, FormState::default(), FormState::default(), None),
    };
    let mut failed_step = failed_step;
    let mut steps = Vec::new();
    let mut refused = Vec::new();
    for x in &v.available_actions {
        if matches!(
            x.action,
            CaseAction::File | CaseAction::DecideOnSpot | CaseAction::AddEvidence
        ) {
            continue;
        }
        let form = match &failed_step {
            Some((act, _)) if *act == x.action => failed_step.take().map(|(_, f)| f),
            _ => None,
        };
        let sv = step_view(x.action, &x.outcome, form);
        // A step whose own inputs (the proposal, the decision, the service, the closing ground
        // and approval…) may satisfy its gate keeps its form; the refusal shows as a note.
        if sv.refusal.is_some() && !sv.open && !carries_inputs(x.action) {
            refused.push(sv);
        } else {
            steps.push(sv);
        }
    }
    let mut layout = Layout::new(
        s,
        Some(a),
        format!("案件 {}", k.number.clone().unwrap_or_default()),
        "cases",
    );
    if let Some(f) = flash {
        layout = layout.flash_ok(f);
    }
    let cat = &d.cat.catalogue;
    let mut facts = vec![
        ("执法主体", v.subject_name.clone()),
        ("执法事项", matter_name(cat, &k.matter_code)),
        ("程序", k.procedure.label().to_string()),
        ("地点", k.place.clone()),
        ("立案时间", short_datetime(k.filed_at)),
    ];
    if let Some(t) = &k.facts.matter {
        facts.push(("法律依据", t.basis_text()));
    }
    if let Some(p) = &k.facts.proposal {
        facts.push(("拟处理意见", decision_text(p)));
    }
    if let Some(dd) = &k.facts.decision {
        facts.push(("处理决定", decision_text(dd)));
    }
    if let Some(x) = k.decided_at {
        facts.push(("决定时间", short_datetime(x)));
    }
    if let Some(x) = k.closed_at {
        facts.push(("结案时间", short_datetime(x)));
    }
    if let Some(cid) = k.clue_id {
        facts.push(("来源线索", format!("#{cid}")));
    }
    let clocks = v
        .clocks
        .iter()
        .map(|c| {
            let dl = &c.clock.deadline;
            ClockRow {
                name: dl.rule_name.clone(),
                class: match dl.state.code() {
                    "overdue" | "missed" => "overdue",
                    "due_soon" => "due-soon",
                    "suspended" => "muted",
                    "met" => "ok",
                    _ => "",
                },
                state: dl.state.label(),
                due: short_datetime(dl.due_at),
                remaining: remaining_text(dl),
                met: dl.met_at.map(short_datetime).unwrap_or_default(),
                explanation: c.explanation.clone(),
                provisional: dl.provisional.as_ref().map(|p| p.reason.clone()),
            }
        })
        .collect();
    let parties = v
        .parties
        .iter()
        .map(|p| {
            let mut f = vec![
                ("当事人", p.name.clone()),
                ("类型", p.kind.label().to_string()),
                (p.id_type.label(), p.id_number.clone()),
                ("地址", p.address.clone()),
            ];
            if let Some(l) = &p.legal_representative {
                f.push(("法定代表人", l.clone()));
            }
            if let Some(ph) = &p.phone {
                f.push(("电话", ph.clone()));
            }
            f
        })
        .collect();
    let officers = v
        .officers
        .iter()
        .map(|o| match &o.certificate_no {
            Some(c) => format!("{}（执法证 {c}）", o.name),
            None => format!("{}（无有效执法证）", o.name),
        })
        .collect();
    let officers_text =
        |os: &[jingzhi_domain::case::Officer]| os.iter().map(|o| o.name.clone()).collect::<Vec<_>>().join("、");
    let evidence = v
        .evidence
        .iter()
        .map(|e| EvidenceView {
            kind: e.evidence_type.label(),
            title: e.title.clone(),
            officers: officers_text(&e.officers),
            at: short_datetime(e.collected_at),
            place: e.place.clone(),
            signature: e.signature.map(|x| x.label().to_string()).unwrap_or_default(),
            file: e.sha256.as_ref().map(|_| format!("/cases/evidence/{}", e.id)),
        })
        .collect();
    let records = v
        .records
        .iter()
        .map(|r| {
            (
                r.kind.label().to_string(),
                short_datetime(r.recorded_at),
                officers_text(&r.officers),
                r.signature.map(|x| x.label().to_string()).unwrap_or_default(),
                r.content.clone(),
            )
        })
        .collect();
    let documents = v
        .documents
        .iter()
        .map(|x| DocView {
            id: x.id,
            kind: x.kind.label(),
            number: x.number.clone().unwrap_or_default(),
            at: short_datetime(x.issued_at),
            by: x.issued_by.clone(),
            sha: x.sha256.chars().take(12).collect(),
        })
        .collect();
    let events = v
        .events
        .iter()
        .map(|e| {
            let label = |c: &Option<String>| {
                c.as_deref()
                    .and_then(CaseStatus::from_code)
                    .map(|s| s.label())
                    .unwrap_or("")
            };
            EventView {
                at: short_datetime(e.at),
                actor: e.actor_name.clone(),
                action: CaseAction::from_code(&e.action)
                    .map(|x| x.label().to_string())
                    .unwrap_or_else(|| event_label(&e.action)),
                change: match (label(&e.from_status), label(&e.to_status)) {
                    ("", "") => String::new(),
                    (f, t) if f == t => String::new(),
                    ("", t) => format!("→ {t}"),
                    (f, t) => format!("{f} → {t}"),
                },
                note: e.note.clone(),
            }
        })
        .collect();
    let updating = a.can(Resource::Case, Action::Update);
    let issuable = if updating && k.status != CaseStatus::Archived {
        ISSUABLE
            .iter()
            .map(|d| (d.code().to_string(), d.label().to_string()))
            .collect()
    } else {
        Vec::new()
    };
    ShowPage {
        layout,
        id: k.id,
        version: k.version,
        number: k.number.clone().unwrap_or_else(|| "（未编号）".into()),
        title: k.title.clone(),
        status: k.status.label(),
        status_code: k.status.code(),
        procedure: k.procedure.label(),
        facts,
        summary: k.summary.clone(),
        parties,
        officers,
        clocks,
        signals: v
            .signals
            .iter()
            .map(|x| SignalView {
                label: x.kind.label(),
                text: x.detail.clone(),
                class: if x.level.code() == "due_soon" {
                    "due-soon"
                } else {
                    "overdue"
                },
            })
            .collect(),
        steps,
        refused,
        evidence,
        records,
        documents,
        issuable,
        events,
        sees_evidence: a.can(Resource::Evidence, Action::View),
        can_add_evidence: updating && k.status.is_open(),
        evidence_form,
        record_form,
        officer_options: officer_options(&d.officers),
        evidence_types: options(EvidenceType::ALL, EvidenceType::code, EvidenceType::label),
        signatures: options(SignatureStatus::ALL, SignatureStatus::code, SignatureStatus::label),
        penalty_kinds: options(PenaltyKind::ALL, PenaltyKind::code, PenaltyKind::label),
        decision_kinds: options(DecisionKind::ALL, DecisionKind::code, DecisionKind::label),
        no_penalty_grounds: options(NoPenaltyGround::ALL, NoPenaltyGround::code, NoPenaltyGround::label),
        levels: options(DiscretionLevel::ALL, DiscretionLevel::code, DiscretionLevel::label),
        adjustments: options(Adjustment::ALL, Adjustment::code, Adjustment::label),
        service_methods: options(ServiceMethod::ALL, ServiceMethod::code, ServiceMethod::label),
        closing_grounds: options(ClosingGround::ALL, ClosingGround::code, ClosingGround::label),
        collection_grounds: options(CollectionGround::ALL, CollectionGround::code, CollectionGround::label),
        publicity: v.publicity.as_ref().map(|p| match (&p.withdrawn_at, &p.reason) {
            (Some(w), r) => format!(
                "{}公示，{}撤下：{}",
                short_datetime(p.published_at),
                short_datetime(*w),
                r.clone().unwrap_or_default()
            ),
            _ => format!("已于{}公示", short_datetime(p.published_at)),
        }),
        error,
    }
}

/// Steps that bring the facts their gates check (so a refusal computed without them is not final).
fn carries_inputs(a: CaseAction) -> bool {
    use CaseAction as A;
    matches!(
        a,
        A::SubmitReview
            | A::ApproveReview
            | A::Decide
            | A::Serve
            | A::SendPriorNotice
            | A::HoldHearing
            | A::Close
            | A::Withdraw
            | A::CollectOnSpot
            | A::OrderCorrection
    )
}

/// The documents a case page offers to issue.
const ISSUABLE: &[DocumentKind] = &[
    DocumentKind::FilingApproval,
    DocumentKind::InspectionRecord,
    DocumentKind::InquiryRecord,
    DocumentKind::CorrectionOrder,
    DocumentKind::PriorNotice,
    DocumentKind::HearingRightsNotice,
    DocumentKind::PenaltyDecision,
    DocumentKind::NoPenaltyDecision,
    DocumentKind::OnSpotDecision,
    DocumentKind::ServiceReceipt,
    DocumentKind::Reminder,
    DocumentKind::ClosingApproval,
];

fn event_label(code: &str) -> String {
    match code {
        "evidence" | "add_evidence" => "收集证据".into(),
        "record" | "add_record" => "制作笔录".into(),
        "officers" | "assign_officers" => "调整承办人员".into(),
        "party" | "add_party" => "登记当事人".into(),
        "document" | "issue_document" => "签发文书".into(),
        "publicity_withdrawn" | "withdraw_publicity" => "撤下公示".into(),
        other => other.to_string(),
    }
}

fn decision_text(d: &Decision) -> String {
    match d.kind {
        DecisionKind::Penalty => jingzhi_domain::case::penalty::penalties_text(&d.penalties),
        DecisionKind::NoPenalty => format!("不予处罚（{}）", d.no_penalty_ground.map(|g| g.label()).unwrap_or("")),
        DecisionKind::TransferJudicial => "移送司法机关".into(),
    }
}

pub async fn show(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    Query(m): Query<ShowQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let d = load(&s, &a, id).await?;
    Ok(render(&show_page(&s, &a, d, None, flash_text(&m.msg))))
}

async fn show_failed(s: &WebState, a: &Actor, id: i64, e: AppError, failed: Failed) -> Result<Response, WebError> {
    let status = crate::error::status_of(&e);
    match load(s, a, id).await {
        Ok(d) => Ok((status, render(&show_page(s, a, d, Some(failed), None))).into_response()),
        Err(_) => Err(e.into()),
    }
}

fn at_of(f: &FormData, name: &str, errors: &mut Vec<FieldError>) -> Option<jiff::Timestamp> {
    let v = f.get(name).trim();
    if v.is_empty() {
        return None;
    }
    match parse_instant(v) {
        Ok(t) => Some(t),
        Err(m) => {
            errors.push(fe(name, m));
            None
        }
    }
}

fn step_of(action: CaseAction, f: &FormData) -> Result<CaseStep, AppError> {
    use CaseAction as A;
    let mut errors = Vec::new();
    let mut step = CaseStep::of(action).reason(f.get("reason"));
    step.version = f.opt_i64("version");
    step.at = at_of(f, "at", &mut errors);
    match action {
        A::SubmitReview | A::Decide => {
            let d = decision_of(f, &mut errors);
            if action == A::Decide {
                step.decision = d;
            } else {
                step.proposal = d;
            }
        }
        A::SendPriorNotice => {
            step.hearing_right_told = f.checked("hearing_right_told");
        }
        A::HoldHearing => {
            step.hearing_notice_at = at_of(f, "hearing_notice_at", &mut errors);
        }
        A::OrderCorrection => step.correction_refused = f.checked("correction_refused"),
        A::Serve => match ServiceMethod::from_code(f.get("service_method")) {
            Some(m) => {
                let mut r = ServiceRecord::new(m);
                r.consent_on_file = f.checked("consent_on_file");
                r.witnessed_or_recorded = f.checked("witnessed_or_recorded");
                r.other_methods_failed = f.checked("other_methods_failed");
                step.service = Some(r);
            }
            None => errors.push(fe("service_method", "请选择送达方式")),
        },
        A::Close => step.closing_ground = ClosingGround::from_code(f.get("closing_ground")),
        A::CollectOnSpot => {
            let amount = int_yuan(f, "collect_amount", &mut errors);
            match (CollectionGround::from_code(f.get("collection_ground")), amount) {
                (Some(ground), Some(amount_yuan)) => {
                    step.collection = Some(OnSpotCollection {
                        ground,
                        amount_yuan,
                        receipt_no: f.get("receipt_no").trim().to_string(),
                    })
                }
                (None, _) => errors.push(fe("collection_ground", "请选择当场收缴的情形")),
                (_, None) => errors.push(fe("collect_amount", "请填写收缴金额")),
            }
        }
        A::ImposeSurcharge | A::SendReminder | A::SubstitutePerform | A::ApplyCourtEnforcement => {
            step.performance_overdue = f.checked("performance_overdue");
            step.immediate_substitute = f.checked("immediate_substitute");
            step.enforcement_review_passed = f.checked("enforcement_review_passed");
        }
        _ => {}
    }
    if matches!(action, A::SubmitReview | A::ApproveReview) {
        step.flags = Some(ReviewFlags {
            complex_or_major: f.checked("complex_or_major"),
            major_public_interest: f.checked("major_public_interest"),
            complex_legal_relations: f.checked("complex_legal_relations"),
            other_review_ground: opt(f.get("other_review_ground")),
            building_completed: f.checked("building_completed"),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    Ok(step)
}

pub async fn step(
    State(s): State<WebState>,
    User(a): User,
    Path((id, code)): Path<(i64, String)>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let action = CaseAction::from_code(&code)
        .filter(|x| !x.opens_case())
        .ok_or_else(|| WebError(AppError::with_message(ErrorCode::NotFound, "没有这个办案环节")))?;
    let state = FormState::from_pairs(form.0.clone());
    let app = s.app.clone();
    let actor = a.clone();
    let r = blocking(move || {
        let st = step_of(action, &form)?;
        app.case_act(&actor, id, &st)
    })
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?msg=done")).into_response()),
        Err(e) if stays_on_page(&e) => {
            let f = state.with_error(&e);
            show_failed(&s, &a, id, e, Failed::Step(action, f)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn assign(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let ids = ids_of(&form, "officer_ids");
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.assign_officers(&actor, id, &ids)).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?msg=officers")).into_response()),
        Err(e) if stays_on_page(&e) => {
            let m = e.message.clone();
            show_failed(&s, &a, id, e, Failed::Other(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Evidence: the statutory type, the title, the two collecting officers, when and where, and an
/// optional file (kept by the file store under its SHA-256, verified on every read).
pub async fn add_evidence(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    sub: Submitted,
) -> Result<Response, WebError> {
    check_csrf(&a, &sub.form)?;
    let state = FormState::from_pairs(sub.form.0.clone());
    let app = s.app.clone();
    let actor = a.clone();
    let r = blocking(move || {
        let f = &sub.form;
        let mut errors = Vec::new();
        let evidence_type = EvidenceType::from_code(f.get("evidence_type"));
        if evidence_type.is_none() {
            errors.push(fe("evidence_type", "请选择证据种类"));
        }
        let title = f.get("title").trim().to_string();
        if title.is_empty() {
            errors.push(fe("title", "请填写证据名称"));
        }
        let collected_at = at_of(f, "collected_at", &mut errors);
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        let file = match sub.files.first() {
            Some(u) => {
                let ct = content_type_of(&u.filename, &u.content_type);
                Some(app.store_evidence_file(&actor, &ct, &u.bytes)?)
            }
            None => None,
        };
        app.add_evidence(
            &actor,
            id,
            &NewEvidence {
                evidence_type: evidence_type.expect("checked"),
                title,
                collected_by: ids_of(f, "collected_by"),
                collected_at,
                place: f.get("place").trim().to_string(),
                signature: SignatureStatus::from_code(f.get("signature")),
                sha256: file.as_ref().map(|x| x.sha256.clone()),
                size: file.as_ref().map(|x| x.size),
                content_type: file.as_ref().map(|x| x.content_type.clone()),
            },
        )
    })
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?msg=evidence#evidence")).into_response()),
        Err(e) if stays_on_page(&e) => {
            let f = state.with_error(&e);
            show_failed(&s, &a, id, e, Failed::Evidence(f)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// An evidence file (scope- and permission-checked, hash verified, the view audited).
pub async fn evidence_file(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let app = s.app.clone();
    let (row, bytes) = blocking(move || app.evidence_file(&a, id)).await?;
    let ct = row.content_type.as_deref().unwrap_or("application/octet-stream");
    Ok(file_response(ct, &row.title, bytes, "private, no-store"))
}

pub async fn add_record(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let state = FormState::from_pairs(form.0.clone());
    let app = s.app.clone();
    let actor = a.clone();
    let r = blocking(move || {
        let mut errors = Vec::new();
        let kind = DocumentKind::from_code(form.get("kind"))
            .filter(|k| matches!(k, DocumentKind::InspectionRecord | DocumentKind::InquiryRecord));
        if kind.is_none() {
            errors.push(fe("kind", "请选择笔录种类"));
        }
        let content = form.get("content").trim().to_string();
        if content.is_empty() {
            errors.push(fe("content", "请填写笔录内容"));
        }
        let recorded_at = at_of(&form, "recorded_at", &mut errors);
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        app.add_record(
            &actor,
            id,
            &NewRecord {
                kind: kind.expect("checked"),
                content,
                officers: ids_of(&form, "officers"),
                signature: SignatureStatus::from_code(form.get("signature")),
                recorded_at,
            },
        )
    })
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?msg=record#records")).into_response()),
        Err(e) if stays_on_page(&e) => {
            let f = state.with_error(&e);
            show_failed(&s, &a, id, e, Failed::Record(f)).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- documents

pub async fn issue(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let Some(kind) = DocumentKind::from_code(form.get("kind")) else {
        let e = AppError::field("kind", "请选择文书");
        let m = e.message.clone();
        return show_failed(&s, &a, id, e, Failed::Other(m)).await;
    };
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.issue_document(&actor, id, kind)).await {
        Ok(doc) => Ok(Redirect::to(&format!("/cases/documents/{doc}")).into_response()),
        Err(e) if stays_on_page(&e) => {
            let m = e.message.clone();
            show_failed(&s, &a, id, e, Failed::Other(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// An issued document as an A4 page (print CSS): rendered from its frozen snapshot, whose hash
/// the application verified.
pub async fn document(State(s): State<WebState>, User(a): User, Path(id): Path<i64>) -> Result<Response, WebError> {
    forced_change(&a)?;
    let app = s.app.clone();
    let doc = blocking(move || app.case_document(&a, id)).await?;
    let composed: jingzhi_domain::case::Document = serde_json::from_value(doc.content.clone()).map_err(|e| {
        tracing::error!(error = %e, "frozen document");
        WebError(AppError::with_message(ErrorCode::Internal, "文书内容无法读取"))
    })?;
    let back = format!("/cases/{}#documents", doc.row.case_id);
    let html = super::documents::render_document_with_back(&composed, Some(&back)).map_err(|e| {
        tracing::error!(error = %e, "document render");
        WebError(AppError::new(ErrorCode::Internal))
    })?;
    Ok(axum::response::Html(html).into_response())
}

// ---------------------------------------------------------------- publicity (public)

pub struct NoticeView {
    pub published: String,
    pub fields: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "cases/publicity.html")]
struct PublicityPage {
    layout: Layout,
    notices: Vec<NoticeView>,
}

/// 行政处罚决定公示: public, no sign-in; individuals' names and numbers masked by the domain.
pub async fn publicity(State(s): State<WebState>) -> Result<Response, WebError> {
    let app = s.app.clone();
    let now = s.app.now();
    let notices = blocking(move || app.publicity_notices(now)).await?;
    let notices = notices
        .into_iter()
        .map(|n| NoticeView {
            published: civil_datetime(n.published_at).date().to_string(),
            fields: notice_fields(&n.notice),
        })
        .collect();
    let mut layout = Layout::new(&s, None, "行政处罚决定公示", "");
    layout.nav.clear();
    Ok(render(&PublicityPage { layout, notices }))
}

/// The labelled fields of a public notice (the domain's `PublicNotice`, serialised).
fn notice_fields(v: &serde_json::Value) -> Vec<(String, String)> {
    const LABELS: &[(&str, &str)] = &[
        ("document_no", "决定书文号"),
        ("party_name", "当事人"),
        ("party_id", "证件号码"),
        ("legal_representative", "法定代表人（负责人）"),
        ("address", "地址"),
        ("matter", "违法行为"),
        ("facts", "主要违法事实"),
        ("legal_basis", "处罚依据"),
        ("penalty", "处罚内容"),
        ("authority", "执法机关"),
        ("decided_on", "决定日期"),
    ];
    let Some(obj) = v.as_object() else {
        return Vec::new();
    };
    let text = |x: &serde_json::Value| match x {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut out = Vec::new();
    for (key, label) in LABELS {
        if let Some(x) = obj.get(*key) {
            let t = text(x);
            if !t.is_empty() && !out.iter().any(|(l, _): &(String, String)| l == label) {
                out.push((label.to_string(), t));
            }
        }
    }
    out
}
