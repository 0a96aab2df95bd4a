//! 办案 (penalty cases): opening a case (立案 from a verified clue or directly; 当场处罚), every step
//! of the procedure through the domain's state machine and gates (`jingzhi_domain::case`), parties,
//! officers, evidence and records, the legal clocks, frozen documents, publicity and the
//! 三超期两随意 signals. Each step checks the role (`authz` and `case::roles_for`) and the data
//! scope, and writes the case, its timeline and the audit record in one transaction.
//!
//! Time-dependent facts (was the hearing asked for within five working days? is the payment
//! overdue?) come from the case's clocks, computed by the clock engine; nothing here computes a
//! deadline itself.

use crate::App;
use crate::actor::Actor;
use crate::audit::{NONE, record};
use crate::clocks::{self as ck, ClockData, NewClock, Subject};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::orgs::BUREAU_CODE;
use jiff::{SignedDuration, Timestamp};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::case::{
    Approval, CaseAction, CaseClock, CaseFacts, CaseStatus, Closing, ClosingGround, Decision, DecisionKind,
    DocumentKind, EvidenceRecord, EvidenceType, MatterTerms, NoticeFacts, NoticeInput, NumberPattern, NumberingScheme,
    Officer, OnSpotCollection, Party, Penalty, ProcedureKind, PublicityPolicy, Refusal, ReviewFlags, ServiceRecord,
    Signal, SignalKind, SignatureStatus, Thresholds, available_actions, default_overdue_kind, initial_status,
    needs_reason, next_status, public_notice, roles_for, signals,
};
use jingzhi_domain::clock::ClockState;
use jingzhi_domain::clue::{ClueStatus, Disposal, Verification};

use jingzhi_domain::case::publicity::redact_identity;
use jingzhi_domain::org::{Footprint, OrgKind, OrgUnit, Scope, StreetCode};
use jingzhi_domain::role::Role;
use jingzhi_domain::time::civil_date;
use jingzhi_store::repo::cases::{self as repo, CaseFilter, CaseRow};
use jingzhi_store::repo::{clocks as clock_repo, clues as clue_repo, places, settings, users};
use jingzhi_store::{Conn, StoreError};
use serde::Serialize;

pub use jingzhi_store::repo::cases::{
    CaseEvent, CaseRow as Case, DocumentRow, EvidenceRow, PartyRow, PublicityRow, RecordRow,
};

/// The `setting` key of the thresholds (TOML, fields of [`Thresholds`]); absent: the defaults.
pub const THRESHOLDS_KEY: &str = "case_thresholds";
/// The clock rule of the statement period (陈述申辩期限, days configurable, default 3 working days [U]).
pub const STATEMENT_RULE: &str = "statement_period";

/// The `setting` key of a subject's case number pattern (e.g. `长宁城管罚字〔{year}〕第{seq:04}号`).
pub fn number_pattern_key(subject_org_id: i64) -> String {
    format!("case_number_pattern:{subject_org_id}")
}

/// A new case.
#[derive(Debug, Clone)]
pub struct OpenCase {
    /// 普通程序 (立案, approved by the opening leader) or 简易程序 (当场处罚 by an officer).
    pub procedure: ProcedureKind,
    /// The clue it comes from (verified as 属实, or disposed as 立案).
    pub clue_id: Option<i64>,
    pub matter_code: String,
    pub variant: Option<String>,
    /// The street/town (default: the clue's, or the actor's team's).
    pub street_code: Option<String>,
    pub title: String,
    /// 案情.
    pub summary: String,
    pub place: String,
    pub party: Party,
    /// 承办执法人员 (user ids; their certificate numbers are read from their accounts).
    pub officer_ids: Vec<i64>,
    /// 立案理由 (普通程序).
    pub reason: String,
    /// The on-the-spot decision (简易程序).
    pub decision: Option<Decision>,
}

/// One step on a case, with the inputs the step needs (the others are ignored).
#[derive(Debug, Clone, Default)]
pub struct CaseStep {
    pub action: Option<CaseAction>,
    /// Reason or opinion (立案、结案、撤销立案、退回、复核意见…).
    pub reason: String,
    /// The version of the case the actor saw (optimistic lock); `None` to skip the check.
    pub version: Option<i64>,
    /// 拟处理意见 (submit/approve review, submit legal review or discussion).
    pub proposal: Option<Decision>,
    pub flags: Option<ReviewFlags>,
    /// 事先告知: the penalties notified (default: the proposal's) and whether the hearing right was told.
    pub notice_penalties: Option<Vec<Penalty>>,
    pub hearing_right_told: bool,
    /// 作出决定.
    pub decision: Option<Decision>,
    /// 送达.
    pub service: Option<ServiceRecord>,
    /// When the step happened (notice served, decision received, hearing held); default now.
    pub at: Option<Timestamp>,
    /// 举行听证: when the hearing notice reached the party.
    pub hearing_notice_at: Option<Timestamp>,
    /// 责令改正: the party refused or let the deadline pass.
    pub correction_refused: bool,
    /// 结案理由.
    pub closing_ground: Option<ClosingGround>,
    /// 当场收缴.
    pub collection: Option<OnSpotCollection>,
    /// 执行: a non-fine obligation (e.g. a demolition deadline) passed unperformed.
    pub performance_overdue: bool,
    pub immediate_substitute: bool,
    pub enforcement_review_passed: bool,
}

impl CaseStep {
    pub fn of(action: CaseAction) -> CaseStep {
        CaseStep {
            action: Some(action),
            ..CaseStep::default()
        }
    }
    pub fn reason(mut self, r: &str) -> CaseStep {
        self.reason = r.into();
        self
    }
}

/// New evidence: type, title, the collecting officers (user ids), when and where, and the file's
/// SHA-256 (the bytes are kept by the file store), size and type when there is a file.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub evidence_type: EvidenceType,
    pub title: String,
    pub collected_by: Vec<i64>,
    pub collected_at: Option<Timestamp>,
    pub place: String,
    pub signature: Option<SignatureStatus>,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub content_type: Option<String>,
}

/// A 笔录: `inspection_record` (现场检查笔录) or `inquiry_record` (询问笔录).
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub kind: DocumentKind,
    pub content: String,
    pub officers: Vec<i64>,
    pub signature: Option<SignatureStatus>,
    pub recorded_at: Option<Timestamp>,
}

/// A clock of a case with its Chinese explanation.
#[derive(Debug, Clone)]
pub struct CaseClockView {
    pub clock: ck::ClockView,
    pub explanation: String,
}

/// A step the viewer may take, or why it is refused now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableAction {
    pub action: CaseAction,
    /// The status it leads to, or the refusal (with its article).
    pub outcome: Result<CaseStatus, String>,
}

/// A case as its page shows it.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: CaseRow,
    pub subject_name: String,
    pub parties: Vec<PartyRow>,
    pub officers: Vec<Officer>,
    /// Empty when the viewer may not see evidence.
    pub evidence: Vec<EvidenceRow>,
    pub records: Vec<RecordRow>,
    pub documents: Vec<DocumentRow>,
    pub events: Vec<CaseEvent>,
    pub clocks: Vec<CaseClockView>,
    pub available_actions: Vec<AvailableAction>,
    pub publicity: Option<PublicityRow>,
    pub signals: Vec<Signal>,
}

/// A case list request.
#[derive(Debug, Clone)]
pub struct CaseListRequest {
    pub status: Option<CaseStatus>,
    pub procedure: Option<ProcedureKind>,
    pub matter_code: Option<String>,
    pub subject_org_id: Option<i64>,
    /// Number, party or title.
    pub q: String,
    /// 三超期: cases with an overdue clock of this kind.
    pub overdue: Option<SignalKind>,
    /// Cases with this signal (overdue kinds as `overdue`; arbitrary kinds among closed cases).
    pub signal: Option<SignalKind>,
    pub officer_user_id: Option<i64>,
    pub open_only: bool,
    pub limit: i64,
    pub offset: i64,
}

impl Default for CaseListRequest {
    fn default() -> Self {
        CaseListRequest {
            status: None,
            procedure: None,
            matter_code: None,
            subject_org_id: None,
            q: String::new(),
            overdue: None,
            signal: None,
            officer_user_id: None,
            open_only: false,
            limit: 50,
            offset: 0,
        }
    }
}

/// A page of cases and the number of matches.
#[derive(Debug, Clone)]
pub struct CaseList {
    pub rows: Vec<CaseRow>,
    /// Matches, counted up to [`LIST_COUNT_CAP`] (see `total_capped`).
    pub total: i64,
    /// More than [`LIST_COUNT_CAP`] cases match.
    pub total_capped: bool,
}

/// Case lists count their matches up to this many (and then say "more than").
pub const LIST_COUNT_CAP: i64 = 10_000;

/// Filtered lists (a matter, a status, a search, 三超期…) count up to this many: counting stops
/// early, so a filter over a million cases answers in milliseconds.
pub const FILTERED_COUNT_CAP: i64 = 1_000;

fn capped(rows: Vec<CaseRow>, total: i64) -> CaseList {
    capped_at(rows, total, LIST_COUNT_CAP)
}

fn capped_at(rows: Vec<CaseRow>, total: i64, cap: i64) -> CaseList {
    CaseList {
        rows,
        total: total.min(cap),
        total_capped: total > cap,
    }
}

/// The inboxes of case work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbox {
    /// 待审批: cases waiting for a leader (案件审核, 集体讨论, and cases ready to close or archive).
    Approval,
    /// 待法制审核.
    LegalReview,
}

/// A case with its signals.
#[derive(Debug, Clone)]
pub struct CaseSignals {
    pub case_id: i64,
    pub number: Option<String>,
    pub title: String,
    pub status: CaseStatus,
    pub signals: Vec<Signal>,
}

/// An issued document, its hash checked.
#[derive(Debug, Clone)]
pub struct IssuedDocument {
    pub row: DocumentRow,
    /// The frozen snapshot.
    pub content: serde_json::Value,
}

/// A published decision (personal data masked).
#[derive(Debug, Clone, Serialize)]
pub struct PublishedNotice {
    pub case_id: i64,
    pub published_at: Timestamp,
    pub notice: serde_json::Value,
}

// ------------------------------------------------------------------------------------- helpers

fn refusal(r: Refusal) -> AppError {
    AppError::with_message(ErrorCode::GateRefused, r.to_string())
}

fn stale(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => AppError::new(ErrorCode::StaleCase),
        other => other.into(),
    }
}

fn footprint(k: &CaseRow) -> Footprint {
    Footprint {
        street_code: k.street_code.as_deref().and_then(|s| StreetCode::parse(s).ok()),
        reporter_org: None,
        compound_company: None,
        sent_to: Vec::new(),
    }
}

fn sees_case(a: &Actor, k: &CaseRow) -> bool {
    a.scope.sees(&footprint(k))
}

pub(crate) fn require_sees(a: &Actor, k: &CaseRow) -> AppResult<()> {
    if sees_case(a, k) {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::OutOfScope))
    }
}

/// Taking steps on a case: in scope, and for a street team only on the cases of its own street
/// office or town (执法主体). A case the district bureau filed in the street is the bureau's to
/// handle; the team sees it but does not act on it.
pub(crate) fn require_acts(c: &mut dyn Conn, a: &Actor, k: &CaseRow) -> AppResult<()> {
    require_sees(a, k)?;
    if let Scope::Street(s) = &a.scope {
        let subject = places::get_org(c, k.subject_org_id)?;
        if subject.street_code.as_ref() != Some(s) {
            return Err(AppError::with_message(
                ErrorCode::OutOfScope,
                format!(
                    "本案的执法主体为{}，街镇执法队只能办理本街镇为执法主体的案件",
                    subject.name
                ),
            ));
        }
    }
    Ok(())
}

fn require_step_role(a: &Actor, action: CaseAction) -> AppResult<()> {
    if a.roles.iter().any(|r| roles_for(action).contains(r)) {
        Ok(())
    } else {
        Err(AppError::with_message(
            ErrorCode::Forbidden,
            format!("无权{}", action.label()),
        ))
    }
}

/// The approving role of a leader (team leader first).
fn leader_role(a: &Actor) -> Role {
    [Role::TeamLeader, Role::BureauLeader]
        .into_iter()
        .find(|r| a.has_role(*r))
        .unwrap_or_else(|| a.roles.first().copied().unwrap_or(Role::Officer))
}

fn approval(a: &Actor, reason: &str) -> Approval {
    Approval::new(&actor_name(a), leader_role(a), reason.trim())
}

fn actor_name(a: &Actor) -> String {
    if a.display_name.is_empty() {
        a.name.clone()
    } else {
        a.display_name.clone()
    }
}

fn thresholds(c: &mut dyn Conn) -> AppResult<Thresholds> {
    match settings::get(c, THRESHOLDS_KEY)? {
        Some(t) => Thresholds::from_toml(&t).map_err(|e| {
            tracing::error!(%e, "case thresholds setting");
            AppError::with_message(ErrorCode::Internal, format!("办案阈值设置有误：{e}"))
        }),
        None => Ok(Thresholds::default()),
    }
}

/// The prefix of a subject's document numbers: 长宁城管 for the bureau, 「街道名」城管 for a street.
fn prefix_of(subject: &OrgUnit) -> String {
    if subject.code == BUREAU_CODE || subject.kind == OrgKind::DistrictBureau {
        return "长宁城管".into();
    }
    let name = subject.name.as_str();
    let base = ["综合行政执法队", "城管执法中队", "城管中队", "执法队", "中队"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name);
    format!("{base}城管")
}

fn number_pattern(c: &mut dyn Conn, subject: &OrgUnit) -> AppResult<NumberPattern> {
    if let Some(p) = settings::get(c, &number_pattern_key(subject.id))? {
        return NumberPattern::parse(&p).map_err(|e| AppError::with_message(ErrorCode::Internal, e));
    }
    Ok(NumberingScheme::standard(&prefix_of(subject)).case)
}

/// The enforcement subject of a new case: the actor's street team, else the district bureau.
fn subject_for(c: &mut dyn Conn, a: &Actor) -> AppResult<OrgUnit> {
    if a.org.kind == OrgKind::StreetTeam {
        return Ok(a.org.clone());
    }
    Ok(places::find_org_by_code(c, BUREAU_CODE)?.unwrap_or_else(|| a.org.clone()))
}

fn officers_of_ids(c: &mut dyn Conn, ids: &[i64]) -> AppResult<Vec<Officer>> {
    let mut out: Vec<Officer> = Vec::new();
    for id in ids {
        if out.iter().any(|o| o.user_id == Some(*id)) {
            continue;
        }
        let u = users::get(c, *id).map_err(|e| match e {
            StoreError::NotFound => AppError::field("officers", format!("执法人员不存在：{id}")),
            e => e.into(),
        })?;
        if !u.active {
            return Err(AppError::field("officers", format!("{}的账户已停用", u.display_name)));
        }
        out.push(Officer {
            user_id: Some(u.id),
            name: u.display_name.clone(),
            certificate_no: u.certificate_no.clone().filter(|c| !c.trim().is_empty()),
        });
    }
    Ok(out)
}

fn event(
    c: &mut dyn Conn,
    a: &Actor,
    k: &CaseRow,
    action: &str,
    from: Option<CaseStatus>,
    note: &str,
    now: Timestamp,
) -> AppResult<()> {
    repo::insert_event(
        c,
        &CaseEvent {
            id: 0,
            case_id: k.id,
            at: now,
            actor_user_id: a.user_id,
            actor_name: actor_name(a),
            action: action.into(),
            from_status: from.map(|s| s.code().to_string()),
            to_status: Some(k.status.code().to_string()),
            note: note.to_string(),
            data: None,
        },
    )?;
    Ok(())
}

#[derive(Serialize)]
struct CaseAudit<'a> {
    number: Option<&'a str>,
    status: &'a str,
    procedure: &'a str,
    matter: &'a str,
    street: Option<&'a str>,
    party: &'a str,
    amount_yuan: Option<i64>,
    version: i64,
}

fn audit_view(k: &CaseRow) -> CaseAudit<'_> {
    CaseAudit {
        number: k.number.as_deref(),
        status: k.status.code(),
        procedure: k.procedure.code(),
        matter: &k.matter_code,
        street: k.street_code.as_deref(),
        party: &k.party_name,
        amount_yuan: k.amount_yuan,
        version: k.version,
    }
}

/// The open clock of a rule on a case, computed now.
fn clock_of(
    c: &mut dyn Conn,
    data: &ClockData,
    case_id: i64,
    rule: &str,
    now: Timestamp,
) -> AppResult<Option<ck::ClockView>> {
    Ok(ck::clocks_of(
        c,
        data,
        Subject {
            kind: "case",
            id: case_id,
        },
        now,
    )?
    .into_iter()
    .rev()
    .find(|v| v.row.rule_code == rule))
}

/// A party row as those who may not see a citizen's identity see it (`Party::identity_masked`).
fn mask_party(p: &mut PartyRow) {
    let m = p.to_party().identity_masked();
    (p.id_number, p.address, p.phone) = (m.id_number, m.address, m.phone);
}

/// The period of a clock has ended (a deadline passed, or a waiting period elapsed).
fn period_over(v: &Option<ck::ClockView>, now: Timestamp) -> bool {
    v.as_ref().is_some_and(|v| v.deadline.due_at < now)
}

fn start(
    c: &mut dyn Conn,
    data: &ClockData,
    a: &Actor,
    k: &CaseRow,
    rule: &str,
    anchor: Timestamp,
    now: Timestamp,
) -> AppResult<ck::ClockView> {
    ck::start_clock(
        c,
        data,
        a,
        NewClock {
            subject: Subject { kind: "case", id: k.id },
            rule,
            anchor,
            street_code: k.street_code.as_deref(),
        },
        now,
    )
}

/// Meets the open clocks of the given rules (all open clocks with `None`).
fn meet(
    c: &mut dyn Conn,
    data: &ClockData,
    a: &Actor,
    case_id: i64,
    rules: Option<&[&str]>,
    at: Timestamp,
    now: Timestamp,
) -> AppResult<()> {
    for row in clock_repo::clocks_of(c, "case", case_id)? {
        if row.met_at.is_none() && rules.is_none_or(|r| r.contains(&row.rule_code.as_str())) {
            ck::meet_clock(c, data, a, row.id, at, now)?;
        }
    }
    Ok(())
}

/// The evidence records the gates read: evidence and 笔录.
fn evidence_records(ev: &[EvidenceRow], recs: &[RecordRow]) -> Vec<EvidenceRecord> {
    let mut v: Vec<EvidenceRecord> = ev
        .iter()
        .map(|e| EvidenceRecord {
            evidence_type: e.evidence_type,
            title: e.title.clone(),
            officers: e.officers.clone(),
            signature: e.signature,
        })
        .collect();
    v.extend(recs.iter().map(|r| EvidenceRecord {
        evidence_type: record_type(r.kind),
        title: r.kind.label().to_string(),
        officers: r.officers.clone(),
        signature: r.signature,
    }));
    v
}

fn record_type(kind: DocumentKind) -> EvidenceType {
    match kind {
        DocumentKind::InquiryRecord => EvidenceType::PartyStatement,
        _ => EvidenceType::InspectionRecord,
    }
}

fn case_clocks(c: &mut dyn Conn, data: &ClockData, k: &CaseRow, now: Timestamp) -> AppResult<Vec<CaseClock>> {
    Ok(ck::clocks_of(c, data, Subject { kind: "case", id: k.id }, now)?
        .into_iter()
        .filter_map(|v| {
            let kind = default_overdue_kind(&v.row.rule_code)?;
            Some(CaseClock {
                rule: v.row.rule_code.clone(),
                state: v.deadline.state,
                kind,
            })
        })
        .collect())
}

/// The rules whose overdue counts for a kind of 三超期.
fn rules_of_kind(data: &ClockData, kind: SignalKind) -> Vec<String> {
    data.rules
        .rules()
        .iter()
        .filter(|r| default_overdue_kind(&r.code) == Some(kind))
        .map(|r| r.code.clone())
        .collect()
}

fn scope_filter(a: &Actor, f: &mut CaseFilter) -> bool {
    match &a.scope {
        Scope::District => true,
        Scope::Street(s) => {
            f.street_code = Some(s.to_string());
            true
        }
        // Partners and departments see no case files.
        _ => false,
    }
}

impl App {
    /// A write that changes what case lists show: list totals kept are forgotten after it.
    fn write_cases<T: Send, E: From<jingzhi_store::StoreError> + Send>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E> + Send,
    ) -> Result<T, E> {
        let r = self.store.write(f);
        if r.is_ok() {
            self.case_counts.clear();
        }
        r
    }

    /// The thresholds in force (the `case_thresholds` setting or the defaults).
    pub fn case_thresholds(&self) -> AppResult<Thresholds> {
        self.store.read(|c| thresholds(c))
    }

    /// Fills the search tokens of cases stored before case search existed, 1,000 per
    /// transaction, calling `progress` with the running total; returns the total (0 when none
    /// was missing, which costs one index lookup).
    pub fn backfill_case_search(&self, progress: &mut dyn FnMut(usize)) -> AppResult<usize> {
        let mut total = 0;
        loop {
            let n = self.write_cases(|c| repo::backfill_search(c, 1000))?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
            progress(total);
        }
    }

    /// Opens a case: 立案 (普通程序, approved by the leader opening it, with a reason) or 当场处罚
    /// (简易程序, by an officer, with the decision). Numbered in the subject's series in the same
    /// transaction; the decision clock starts on filing. Returns the case id.
    pub fn open_case(&self, a: &Actor, n: &OpenCase) -> AppResult<i64> {
        a.require(Resource::Case, Action::Create)?;
        let action = match n.procedure {
            ProcedureKind::Ordinary => CaseAction::File,
            ProcedureKind::Simple => CaseAction::DecideOnSpot,
        };
        require_step_role(a, action)?;
        let party = n
            .party
            .clone()
            .validated()
            .map_err(|e| AppError::field("party", e.to_string()))?;
        if n.title.trim().is_empty() {
            return Err(AppError::field("title", "请填写案由"));
        }
        let data = self.intake_data()?;
        let matter = data
            .catalogue
            .get(n.matter_code.trim())
            .ok_or_else(|| AppError::field("matter_code", format!("未知的执法事项：{}", n.matter_code)))?;
        let terms = MatterTerms::of(matter, n.variant.as_deref().filter(|v| !v.is_empty()))
            .ok_or_else(|| AppError::field("variant", "该执法事项没有此情形"))?;
        let clocks = self.clock_data()?;
        let now = self.now();
        let id = self.write_cases(|c| {
            let th = thresholds(c)?;
            // The street: the clue's, the given one, or the actor's.
            let mut street = n.street_code.clone().filter(|s| !s.trim().is_empty());
            if let Some(clue_id) = n.clue_id {
                let k = clue_repo::get(c, clue_id).map_err(|_| AppError::field("clue_id", "线索不存在"))?;
                if !a.scope.sees(&k.footprint(None)) {
                    return Err(AppError::new(ErrorCode::OutOfScope));
                }
                let verified = k.verification == Some(Verification::Confirmed)
                    && matches!(
                        k.status,
                        ClueStatus::Verified | ClueStatus::Disposed | ClueStatus::Replied | ClueStatus::Closed
                    );
                let for_case = k.disposal.is_none() || k.disposal == Some(Disposal::FileCase);
                if !(verified && for_case) {
                    return Err(AppError::with_message(
                        ErrorCode::GateRefused,
                        format!(
                            "线索{}当前为“{}”，须核查属实（或处置为立案）后方可立案",
                            k.no,
                            k.status.label()
                        ),
                    ));
                }
                street = k.street_code.clone().or(street);
            }
            if street.is_none() {
                street = a.org.street_code.as_ref().map(|s| s.to_string());
            }
            if let Some(s) = &street {
                StreetCode::parse(s).map_err(|e| AppError::field("street_code", e))?;
            }
            let subject = subject_for(c, a)?;
            let officers = officers_of_ids(c, &n.officer_ids)?;
            let mut facts = CaseFacts::new(n.procedure, party.kind);
            facts.matter = Some(terms.clone());
            facts.officers = officers.clone();
            match n.procedure {
                ProcedureKind::Ordinary => facts.filing_approval = Some(approval(a, &n.reason)),
                ProcedureKind::Simple => facts.decision = n.decision.clone(),
            }
            let status = initial_status(action, &facts, &th).map_err(refusal)?;
            let year = civil_date(now).year();
            let seq = repo::next_case_seq(c, subject.id, year as i32)?;
            let number = number_pattern(c, &subject)?.format(year as i32, seq as u64);
            let mut k = CaseRow {
                id: 0,
                number: Some(number),
                subject_org_id: subject.id,
                year: year as i32,
                seq: Some(seq),
                procedure: n.procedure,
                status,
                matter_code: terms.matter_code.clone(),
                variant: terms.variant_code.clone(),
                clue_id: n.clue_id,
                street_code: street,
                party_name: party.name.clone(),
                party_kind: party.kind,
                title: n.title.trim().into(),
                summary: n.summary.trim().into(),
                place: n.place.trim().into(),
                amount_yuan: facts.decision.as_ref().map(Decision::fine_total),
                filed_at: now,
                decided_at: (n.procedure == ProcedureKind::Simple).then_some(now),
                closed_at: None,
                created_by: a.user_id,
                updated_at: now,
                facts,
                version: 1,
            };
            if !sees_case(a, &k) {
                return Err(AppError::new(ErrorCode::OutOfScope));
            }
            k.id = repo::insert(c, &k)?;
            repo::insert_party(c, k.id, &party, now)?;
            for o in &officers {
                repo::upsert_officer(c, k.id, o, now)?;
            }
            let note = match n.procedure {
                ProcedureKind::Ordinary => n.reason.trim().to_string(),
                ProcedureKind::Simple => k
                    .facts
                    .decision
                    .as_ref()
                    .map(|d| jingzhi_domain::case::penalty::penalties_text(&d.penalties))
                    .unwrap_or_default(),
            };
            event(c, a, &k, action.code(), None, &note, now)?;
            if n.procedure == ProcedureKind::Ordinary {
                start(c, &clocks, a, &k, "case_decision_90d", now, now)?;
            }
            record(
                c,
                a,
                now,
                "case.open",
                "case",
                k.id,
                NONE,
                Some(&serde_json::json!({"case": audit_view(&k), "clue_id": k.clue_id})),
            )?;
            Ok::<_, AppError>(k.id)
        })?;
        Ok(id)
    }

    fn load_case(&self, c: &mut dyn Conn, a: &Actor, id: i64) -> AppResult<CaseRow> {
        let k = repo::get(c, id)?;
        require_sees(a, &k)?;
        Ok(k)
    }

    /// A case with everything its page shows, and the steps this viewer may take (enabled, or
    /// with the refusal and its article).
    pub fn case_view(&self, a: &Actor, id: i64) -> AppResult<CaseView> {
        a.require(Resource::Case, Action::View)?;
        let clocks = self.clock_data()?;
        let now = self.now();
        let view = self.store.read(|c| -> AppResult<CaseView> {
            let k = self.load_case(c, a, id)?;
            let th = thresholds(c)?;
            let sees_evidence = a.can(Resource::Evidence, Action::View);
            let clock_views = ck::clocks_of(c, &clocks, Subject { kind: "case", id }, now)?;
            let case_clocks: Vec<CaseClock> = clock_views
                .iter()
                .filter_map(|v| {
                    Some(CaseClock {
                        rule: v.row.rule_code.clone(),
                        state: v.deadline.state,
                        kind: default_overdue_kind(&v.row.rule_code)?,
                    })
                })
                .collect();
            let available = if a.can(Resource::Case, Action::Update) && require_acts(c, a, &k).is_ok() {
                available_actions(k.status, &k.facts, &th)
                    .into_iter()
                    .filter(|(act, _)| a.roles.iter().any(|r| roles_for(*act).contains(r)))
                    .map(|(action, r)| AvailableAction {
                        action,
                        outcome: r.map_err(|e| e.to_string()),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Ok(CaseView {
                subject_name: places::get_org(c, k.subject_org_id)?.name,
                parties: repo::parties_of(c, id)?,
                officers: repo::officers_of(c, id)?,
                evidence: if sees_evidence {
                    repo::evidence_of(c, id)?
                } else {
                    Vec::new()
                },
                records: if sees_evidence {
                    repo::records_of(c, id)?
                } else {
                    Vec::new()
                },
                documents: repo::documents_of(c, id)?,
                events: repo::events_of(c, id)?,
                clocks: clock_views
                    .into_iter()
                    .map(|v| CaseClockView {
                        explanation: v.deadline.explanation(),
                        clock: v,
                    })
                    .collect(),
                available_actions: available,
                publicity: repo::publicity_of(c, id)?,
                signals: signals(k.status, &k.facts, &case_clocks),
                case: k,
            })
        })?;
        let mut view = view;
        if !jingzhi_domain::authz::sees_party_identity(&a.roles) {
            let raw = std::mem::take(&mut view.parties);
            for p in raw {
                let party = p.to_party();
                let mut m = p.clone();
                mask_party(&mut m);
                let texts = view
                    .records
                    .iter_mut()
                    .map(|r| &mut r.content)
                    .chain(view.events.iter_mut().map(|e| &mut e.note));
                for t in texts {
                    *t = redact_identity(t, &party);
                }
                view.parties.push(m);
            }
        }
        // Seeing the evidence and 笔录 of a case is recorded (执法全过程记录): who, when, how many.
        if !view.evidence.is_empty() || !view.records.is_empty() {
            self.store.write(|c| {
                record(
                    c,
                    a,
                    now,
                    "case.view_evidence",
                    "case",
                    id,
                    NONE,
                    Some(&serde_json::json!({"evidence": view.evidence.len(), "records": view.records.len()})),
                )
            })?;
        }
        Ok(view)
    }

    /// Assigns the officers of a case (replacing the list); at least two with certificates are
    /// needed to investigate.
    pub fn assign_officers(&self, a: &Actor, id: i64, officer_ids: &[i64]) -> AppResult<()> {
        a.require(Resource::Case, Action::Update)?;
        if !a.has_role(Role::TeamLeader) && !a.has_role(Role::BureauLeader) {
            return Err(AppError::with_message(
                ErrorCode::Forbidden,
                "指派承办人员须由队长或区局领导进行",
            ));
        }
        let now = self.now();
        self.write_cases(|c| {
            let mut k = repo::get_for_update(c, id)?;
            require_acts(c, a, &k)?;
            if !k.status.is_open() {
                return Err(AppError::with_message(
                    ErrorCode::GateRefused,
                    "案件已办结，不能指派承办人员",
                ));
            }
            let officers = officers_of_ids(c, officer_ids)?;
            let before: Vec<String> = k.facts.officers.iter().map(|o| o.name.clone()).collect();
            repo::remove_officers(c, id)?;
            for o in &officers {
                repo::upsert_officer(c, id, o, now)?;
            }
            k.facts.officers = officers.clone();
            k.updated_at = now;
            repo::update(c, &k).map_err(stale)?;
            k.version += 1;
            let names: Vec<String> = officers.iter().map(|o| o.name.clone()).collect();
            event(c, a, &k, "assign_officers", Some(k.status), &names.join("、"), now)?;
            record(
                c,
                a,
                now,
                "case.assign_officers",
                "case",
                id,
                Some(&before),
                Some(&names),
            )?;
            Ok(())
        })
    }

    /// Adds a party (validated: resident ID or credit code check digits).
    pub fn add_party(&self, a: &Actor, id: i64, p: &Party) -> AppResult<i64> {
        a.require(Resource::Case, Action::Update)?;
        let party = p
            .clone()
            .validated()
            .map_err(|e| AppError::field("party", e.to_string()))?;
        let now = self.now();
        self.write_cases(|c| {
            let k = repo::get_for_update(c, id)?;
            require_acts(c, a, &k)?;
            if !k.status.is_before_decision() {
                return Err(AppError::with_message(
                    ErrorCode::GateRefused,
                    "作出决定后不能再增加当事人",
                ));
            }
            let pid = repo::insert_party(c, id, &party, now)?;
            event(c, a, &k, "add_party", Some(k.status), &party.name, now)?;
            record(
                c,
                a,
                now,
                "case.add_party",
                "case",
                id,
                NONE,
                Some(&serde_json::json!({"party_id": pid, "kind": party.kind.code(), "name": party.name})),
            )?;
            Ok(pid)
        })
    }

    /// The evidence and 笔录 of a case (for those who may see evidence); the listing is audited.
    pub fn list_evidence(&self, a: &Actor, id: i64) -> AppResult<(Vec<EvidenceRow>, Vec<RecordRow>)> {
        a.require(Resource::Evidence, Action::View)?;
        let now = self.now();
        self.store.write(|c| {
            self.load_case(c, a, id)?;
            let ev = repo::evidence_of(c, id)?;
            let recs = repo::records_of(c, id)?;
            record(
                c,
                a,
                now,
                "case.view_evidence",
                "case",
                id,
                NONE,
                Some(&serde_json::json!({"evidence": ev.len(), "records": recs.len()})),
            )?;
            Ok((ev, recs))
        })
    }

    /// Adds evidence, collected by the given officers (two holding certificates); the gate of
    /// 收集证据 checks every record. The file itself (if any) is identified by its SHA-256.
    pub fn add_evidence(&self, a: &Actor, id: i64, e: &NewEvidence) -> AppResult<i64> {
        a.require(Resource::Evidence, Action::Create)?;
        require_step_role(a, CaseAction::AddEvidence)?;
        if e.title.trim().is_empty() {
            return Err(AppError::field("title", "请填写证据名称"));
        }
        if let Some(h) = &e.sha256
            && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(AppError::field("sha256", "文件哈希应为64位十六进制"));
        }
        let now = self.now();
        self.store.write(|c| {
            let mut k = repo::get_for_update(c, id)?;
            require_acts(c, a, &k)?;
            let th = thresholds(c)?;
            let officers = officers_of_ids(c, &e.collected_by)?;
            let row = EvidenceRow {
                id: 0,
                case_id: id,
                evidence_type: e.evidence_type,
                title: e.title.trim().into(),
                officers,
                collected_at: e.collected_at.unwrap_or(now),
                place: e.place.trim().into(),
                signature: e.signature,
                sha256: e.sha256.as_ref().map(|h| h.to_ascii_lowercase()),
                size: e.size,
                content_type: e.content_type.clone(),
                created_by: actor_name(a),
                created_at: now,
            };
            let mut ev = repo::evidence_of(c, id)?;
            ev.push(row.clone());
            let recs = repo::records_of(c, id)?;
            k.facts.evidence = evidence_records(&ev, &recs);
            next_status(k.status, CaseAction::AddEvidence, &k.facts, &th).map_err(refusal)?;
            let eid = repo::insert_evidence(c, &row)?;
            k.updated_at = now;
            repo::update(c, &k).map_err(stale)?;
            k.version += 1;
            event(
                c,
                a,
                &k,
                CaseAction::AddEvidence.code(),
                Some(k.status),
                &format!("{}：{}", row.evidence_type.label(), row.title),
                now,
            )?;
            record(
                c,
                a,
                now,
                "case.add_evidence",
                "case",
                id,
                NONE,
                Some(&serde_json::json!({"evidence_id": eid, "type": row.evidence_type.code(), "title": row.title, "sha256": row.sha256})),
            )?;
            Ok(eid)
        })
    }

    /// Adds a 笔录 (现场检查笔录 or 询问笔录) with its officers and the signature status.
    pub fn add_record(&self, a: &Actor, id: i64, r: &NewRecord) -> AppResult<i64> {
        a.require(Resource::Evidence, Action::Create)?;
        require_step_role(a, CaseAction::AddEvidence)?;
        if !matches!(r.kind, DocumentKind::InspectionRecord | DocumentKind::InquiryRecord) {
            return Err(AppError::field("kind", "笔录只能是现场检查（勘验）笔录或询问笔录"));
        }
        if r.content.trim().is_empty() {
            return Err(AppError::field("content", "请填写笔录内容"));
        }
        let now = self.now();
        self.store.write(|c| {
            let mut k = repo::get_for_update(c, id)?;
            require_acts(c, a, &k)?;
            let th = thresholds(c)?;
            let row = RecordRow {
                id: 0,
                case_id: id,
                kind: r.kind,
                content: r.content.trim().into(),
                officers: officers_of_ids(c, &r.officers)?,
                signature: r.signature,
                recorded_at: r.recorded_at.unwrap_or(now),
                created_by: actor_name(a),
                created_at: now,
            };
            let ev = repo::evidence_of(c, id)?;
            let mut recs = repo::records_of(c, id)?;
            recs.push(row.clone());
            k.facts.evidence = evidence_records(&ev, &recs);
            next_status(k.status, CaseAction::AddEvidence, &k.facts, &th).map_err(refusal)?;
            let rid = repo::insert_record(c, &row)?;
            k.updated_at = now;
            repo::update(c, &k).map_err(stale)?;
            k.version += 1;
            event(c, a, &k, "add_record", Some(k.status), r.kind.label(), now)?;
            record(
                c,
                a,
                now,
                "case.add_record",
                "case",
                id,
                NONE,
                Some(&serde_json::json!({"record_id": rid, "kind": r.kind.code(), "signature": r.signature.map(|s| s.code())})),
            )?;
            Ok(rid)
        })
    }

    /// Takes one step: builds the facts from the stored case and the step's inputs (time facts
    /// from the case's clocks), asks the state machine, and stores the facts, status, timeline,
    /// clocks and audit record in one transaction. A refused step answers `gate_refused` with the
    /// refusal and its article.
    pub fn case_act(&self, a: &Actor, id: i64, step: &CaseStep) -> AppResult<CaseStatus> {
        a.require(Resource::Case, Action::Update)?;
        let action = step.action.ok_or_else(|| AppError::field("action", "请选择办案环节"))?;
        require_step_role(a, action)?;
        let approval_gated = matches!(action, CaseAction::Close | CaseAction::Withdraw);
        if needs_reason(action) && !approval_gated && step.reason.trim().is_empty() {
            return Err(AppError::field("reason", format!("{}须写明理由或意见", action.label())));
        }
        let clocks = self.clock_data()?;
        let now = self.now();
        self.write_cases(|c| {
            let mut k = repo::get_for_update(c, id)?;
            require_acts(c, a, &k)?;
            if let Some(v) = step.version
                && v != k.version
            {
                return Err(AppError::new(ErrorCode::StaleCase));
            }
            let th = thresholds(c)?;
            let before = serde_json::to_value(audit_view(&k)).unwrap_or_default();
            let from = k.status;
            let at = step.at.unwrap_or(now);
            let f = &mut k.facts;
            use CaseAction as A;
            // Inputs and time facts before the gates.
            match action {
                A::OrderCorrection => {
                    f.correction.ordered = true;
                    f.correction.refused_or_overdue |= step.correction_refused;
                }
                A::SubmitReview | A::ApproveReview | A::SubmitLegalReview | A::SubmitCollectiveDiscussion => {
                    if let Some(p) = &step.proposal {
                        f.proposal = Some(p.clone());
                    }
                    if let Some(fl) = &step.flags {
                        f.flags = fl.clone();
                    }
                }
                A::PassLegalReview => f.legal_review_passed = true,
                A::FailLegalReview => f.legal_review_passed = false,
                A::ConcludeDiscussion => f.collective_discussion_held = true,
                A::SendPriorNotice => {
                    let penalties = step
                        .notice_penalties
                        .clone()
                        .or_else(|| f.proposal.as_ref().map(|p| p.penalties.clone()))
                        .unwrap_or_default();
                    f.notice = Some(NoticeFacts {
                        served: true,
                        penalties,
                        hearing_right_told: step.hearing_right_told,
                        ..NoticeFacts::default()
                    });
                    f.hearing = Default::default();
                }
                A::ReceiveStatement => {
                    if let Some(n) = f.notice.as_mut() {
                        n.statements_received = true;
                        n.statements_handled = false;
                    }
                }
                A::WaiveRights => {
                    if let Some(n) = f.notice.as_mut() {
                        n.rights_waived = true;
                    }
                }
                A::RequestHearing => {
                    let clock = clock_of(c, &clocks, id, "hearing_request_5wd", now)?;
                    f.hearing.requested = true;
                    f.hearing.requested_in_time = clock.as_ref().is_some_and(|v| at <= v.deadline.due_at);
                }
                A::HoldHearing => {
                    let notice_at = step
                        .hearing_notice_at
                        .ok_or_else(|| AppError::field("hearing_notice_at", "请填写听证通知送达时间"))?;
                    // The 7-working-day notice rule counts back from the hearing.
                    let v = start(c, &clocks, a, &k, "hearing_notice_7wd", at, now)?;
                    let v = ck::meet_clock(c, &clocks, a, v.id, notice_at, now)?;
                    k.facts.hearing.notice_in_time = v.deadline.state == ClockState::Met;
                }
                A::HandleStatements => {
                    if let Some(n) = f.notice.as_mut() {
                        n.statements_handled = n.statements_received || f.hearing.held;
                    }
                }
                A::Decide => {
                    f.decision = step.decision.clone();
                    let hearing = clock_of(c, &clocks, id, "hearing_request_5wd", now)?;
                    // Cases notified before the statement rule shipped have no clock of their own:
                    // their notice gave the hearing-request period.
                    let statement = match clock_of(c, &clocks, id, STATEMENT_RULE, now)? {
                        Some(v) => Some(v),
                        None => hearing.clone(),
                    };
                    let hearing_over = period_over(&hearing, now);
                    let statement_over = period_over(&statement, now);
                    let f = &mut k.facts;
                    if let Some(n) = f.notice.as_mut() {
                        // The party used its right and the statements were reviewed: nothing is
                        // left to wait for (第四十五条); otherwise the period must run out.
                        n.statement_period_elapsed = statement_over || (n.statements_received && n.statements_handled);
                    }
                    f.hearing.request_period_elapsed = hearing_over;
                }
                A::Serve => f.service = step.service.clone(),
                A::RecordPaid | A::CompleteExecution => f.execution.performed = true,
                A::ImposeSurcharge | A::SendReminder | A::SubstitutePerform | A::ApplyCourtEnforcement => {
                    let pay = clock_of(c, &clocks, id, "fine_payment_15d", now)?;
                    let reminder = clock_of(c, &clocks, id, "enforcement_reminder_10wd", now)?;
                    let review = clock_of(c, &clocks, id, "review_period_60d", now)?;
                    let lit = clock_of(c, &clocks, id, "litigation_period_6m", now)?;
                    let f = &mut k.facts;
                    f.execution.performance_overdue |= step.performance_overdue || period_over(&pay, now);
                    f.execution.reminder_period_elapsed = period_over(&reminder, now);
                    f.execution.relief_periods_lapsed = period_over(&review, now) && period_over(&lit, now);
                    f.execution.immediate_substitute = step.immediate_substitute;
                    f.execution.enforcement_review_passed |= step.enforcement_review_passed;
                    if action == A::ApplyCourtEnforcement && f.execution.relief_periods_lapsed {
                        let lapsed = [&review, &lit]
                            .iter()
                            .filter_map(|v| v.as_ref().map(|v| v.deadline.due_at))
                            .max()
                            .unwrap_or(now);
                        let v = start(c, &clocks, a, &k, "court_application_3m", lapsed, now)?;
                        k.facts.execution.court_window_expired = v.deadline.due_at < now;
                    }
                }
                A::Close => {
                    let ground = step
                        .closing_ground
                        .ok_or_else(|| AppError::field("closing_ground", "请选择结案理由"))?;
                    f.closing = Some(Closing {
                        ground,
                        approval: approval(a, &step.reason),
                    });
                }
                A::Withdraw => f.withdrawal = Some(approval(a, &step.reason)),
                A::CollectOnSpot => f.on_spot_collection = step.collection.clone(),
                _ => {}
            }
            let to = next_status(from, action, &k.facts, &th).map_err(refusal)?;
            // Effects after the gates.
            let mut note = step.reason.trim().to_string();
            match action {
                A::SubmitReview | A::ApproveReview => {
                    k.amount_yuan = k.facts.proposal.as_ref().map(Decision::fine_total).filter(|x| *x > 0);
                }
                A::SendPriorNotice => {
                    start(c, &clocks, a, &k, "hearing_request_5wd", at, now)?;
                    if clocks.rules.get(STATEMENT_RULE).is_some() {
                        start(c, &clocks, a, &k, STATEMENT_RULE, at, now)?;
                    }
                    let pens = k.facts.notice.as_ref().map(|n| n.penalties.clone()).unwrap_or_default();
                    note = format!("拟处罚：{}", jingzhi_domain::case::penalty::penalties_text(&pens));
                }
                A::RequestHearing => {
                    meet(c, &clocks, a, id, Some(&["hearing_request_5wd"]), at, now)?;
                    if let Some(v) = clock_of(c, &clocks, id, "case_decision_90d", now)?
                        && v.row.met_at.is_none()
                    {
                        // The hearing does not count against the 90 days (住建部令第55号 [U]).
                        let mut approver = a.clone();
                        approver.roles = vec![Role::TeamLeader];
                        approver.display_name = format!("{}（听证依法中止）", actor_name(a));
                        ck::suspend_clock(c, &clocks, &approver, v.id, at, "听证", now)?;
                    }
                }
                A::HoldHearing => {
                    k.facts.hearing.held = true;
                    if let Some(v) = clock_of(c, &clocks, id, "case_decision_90d", now)?
                        && v.deadline.state == ClockState::Suspended
                    {
                        ck::resume_clock(c, &clocks, a, v.id, at, now)?;
                    }
                }
                A::Decide => {
                    let d = k.facts.decision.clone().expect("checked by the gate");
                    k.decided_at = Some(at);
                    k.amount_yuan = Some(d.fine_total()).filter(|x| *x > 0);
                    if let Some(v) = clock_of(c, &clocks, id, "case_decision_90d", now)?
                        && v.deadline.state == ClockState::Suspended
                    {
                        ck::resume_clock(c, &clocks, a, v.id, at, now)?;
                    }
                    meet(c, &clocks, a, id, Some(&["case_decision_90d"]), at, now)?;
                    if d.kind != DecisionKind::TransferJudicial {
                        start(c, &clocks, a, &k, "decision_service_7wd", at, now)?;
                    }
                    self.publish(c, &clocks, a, &k, &d, at, now)?;
                    note = match d.kind {
                        DecisionKind::Penalty => {
                            format!("处罚：{}", jingzhi_domain::case::penalty::penalties_text(&d.penalties))
                        }
                        other => other.label().to_string(),
                    };
                }
                A::Serve => {
                    meet(c, &clocks, a, id, Some(&["decision_service_7wd"]), at, now)?;
                    let d = k.facts.decision.clone().expect("checked by the gate");
                    if d.kind == DecisionKind::Penalty {
                        if d.fine_total() > 0 {
                            start(c, &clocks, a, &k, "fine_payment_15d", at, now)?;
                        }
                        start(c, &clocks, a, &k, "review_period_60d", at, now)?;
                        start(c, &clocks, a, &k, "litigation_period_6m", at, now)?;
                    }
                    if let Some(s) = &k.facts.service {
                        note = s.method.label().to_string();
                    }
                }
                A::RecordPaid => meet(c, &clocks, a, id, Some(&["fine_payment_15d"]), at, now)?,
                A::SendReminder => {
                    k.facts.execution.reminder_served = true;
                    start(c, &clocks, a, &k, "enforcement_reminder_10wd", at, now)?;
                }
                A::ImposeSurcharge => k.facts.execution.surcharge_imposed = true,
                A::ApplyCourtEnforcement => {
                    k.facts.execution.court_applied = true;
                    meet(c, &clocks, a, id, Some(&["court_application_3m"]), at, now)?;
                }
                A::CollectOnSpot => {
                    start(c, &clocks, a, &k, "cash_handover_2wd", at, now)?;
                }
                A::Close | A::Withdraw => {
                    k.closed_at = Some(at);
                    meet(c, &clocks, a, id, None, at, now)?;
                    if let Some(g) = step.closing_ground.filter(|_| action == A::Close) {
                        note = format!("{}：{}", g.label(), note);
                    }
                }
                _ => {}
            }
            k.status = to;
            k.updated_at = now;
            repo::update(c, &k).map_err(stale)?;
            k.version += 1;
            event(c, a, &k, action.code(), Some(from), &note, now)?;
            record(
                c,
                a,
                now,
                &format!("case.{}", action.code()),
                "case",
                id,
                Some(&before),
                Some(&serde_json::json!({"case": audit_view(&k), "reason": step.reason.trim()})),
            )?;
            Ok(to)
        })
    }

    /// Publishes a decision when the policy says so (masked notice, publicity clock met at once).
    #[allow(clippy::too_many_arguments)]
    fn publish(
        &self,
        c: &mut dyn Conn,
        clocks: &ClockData,
        a: &Actor,
        k: &CaseRow,
        d: &Decision,
        at: Timestamp,
        now: Timestamp,
    ) -> AppResult<()> {
        if !PublicityPolicy::default().must_publish(k.procedure, d.kind) {
            return Ok(());
        }
        let Some(party) = repo::parties_of(c, k.id)?.first().map(PartyRow::to_party) else {
            return Ok(());
        };
        let subject = places::get_org(c, k.subject_org_id)?;
        let terms = k.facts.matter.clone();
        let notice = public_notice(&NoticeInput {
            party: &party,
            document_no: k.number.as_deref().unwrap_or_default(),
            authority: &subject.name,
            decided_on: civil_date(at),
            matter_name: terms.as_ref().map(|t| t.matter_name.as_str()).unwrap_or_default(),
            facts: &k.summary,
            legal_basis: &terms.as_ref().map(|t| t.basis_text()).unwrap_or_default(),
            decision: d,
        });
        let v = start(c, clocks, a, k, "decision_publicity", at, now)?;
        let due_by = v.deadline.due_at;
        ck::meet_clock(c, clocks, a, v.id, now, now)?;
        repo::insert_publicity(
            c,
            &PublicityRow {
                case_id: k.id,
                published_at: now,
                due_by: Some(due_by),
                withdrawn_at: None,
                reason: None,
                notice: serde_json::to_string(&notice).unwrap_or_default(),
            },
        )?;
        Ok(())
    }

    /// Lists the cases the actor sees, filtered and paged.
    pub fn list_cases(&self, a: &Actor, r: &CaseListRequest) -> AppResult<CaseList> {
        a.require(Resource::Case, Action::View)?;
        let mut f = CaseFilter {
            statuses: r.status.into_iter().collect(),
            procedure: r.procedure,
            matter_code: r.matter_code.clone().filter(|m| !m.is_empty()),
            subject_org_id: r.subject_org_id,
            q: Some(r.q.clone()).filter(|q| !q.trim().is_empty()),
            officer_user_id: r.officer_user_id,
            open_only: r.open_only,
            limit: r.limit,
            offset: r.offset,
            count_cap: Some(LIST_COUNT_CAP),
            ..CaseFilter::default()
        };
        if !scope_filter(a, &mut f) {
            return Ok(capped(Vec::new(), 0));
        }
        let overdue = r.overdue.or(r.signal.filter(|s| s.is_overdue()));
        if let Some(kind) = overdue {
            let data = self.clock_data()?;
            f.clock_rules = rules_of_kind(&data, kind);
            f.clock_states = vec![ClockState::Overdue.code().to_string()];
            if f.clock_rules.is_empty() {
                return Ok(capped(Vec::new(), 0));
            }
        }
        let arbitrary = r.signal.filter(|s| s.is_arbitrary());
        if let Some(kind) = arbitrary {
            // Read the candidates and keep those with the signal.
            match kind {
                SignalKind::ArbitraryClosing => f.statuses = vec![CaseStatus::Closed, CaseStatus::Archived],
                SignalKind::ArbitraryWithdrawal => f.statuses = vec![CaseStatus::Withdrawn],
                _ => {}
            }
            let (limit, offset) = (f.limit, f.offset);
            f.limit = 1000;
            f.offset = 0;
            let (rows, _) = self.store.read(|c| repo::list(c, &f))?;
            let hits: Vec<CaseRow> = rows
                .into_iter()
                .filter(|k| signals(k.status, &k.facts, &[]).iter().any(|s| s.kind == kind))
                .collect();
            let total = hits.len() as i64;
            let page = hits
                .into_iter()
                .skip(offset.max(0) as usize)
                .take(limit.max(1) as usize)
                .collect();
            return Ok(capped(page, total));
        }
        let filtered = f.matter_code.is_some()
            || !f.statuses.is_empty()
            || f.procedure.is_some()
            || f.q.is_some()
            || f.officer_user_id.is_some()
            || f.subject_org_id.is_some()
            || !f.clock_states.is_empty();
        let cap = if filtered { FILTERED_COUNT_CAP } else { LIST_COUNT_CAP };
        f.count_cap = Some(cap);
        f.light = true;
        // The total of the same list is kept briefly: counting up to the cap is most of a list
        // page's cost at a million cases, and it changes only when cases do.
        let key = format!(
            "{:?}",
            CaseFilter {
                limit: 0,
                offset: 0,
                ..f.clone()
            }
        );
        let generation = self.case_counts.generation();
        let cached = self.case_counts.get(&key);
        f.skip_count = cached.is_some();
        let (rows, total) = self.store.read(|c| repo::list(c, &f))?;
        let total = match cached {
            Some(n) => n,
            None => {
                self.case_counts.put(generation, key, total);
                total
            }
        };
        Ok(capped_at(rows, total, cap))
    }

    /// 待审批 (team leaders and bureau leaders) or 待法制审核 (legal reviewers), in scope.
    pub fn case_inbox(&self, a: &Actor, inbox: Inbox) -> AppResult<CaseList> {
        a.require(Resource::Case, Action::View)?;
        let statuses = match inbox {
            Inbox::Approval => {
                if !(a.has_role(Role::TeamLeader) || a.has_role(Role::BureauLeader)) {
                    return Err(AppError::with_message(
                        ErrorCode::Forbidden,
                        "审批待办只对队长和区局领导开放",
                    ));
                }
                vec![
                    CaseStatus::CaseReview,
                    CaseStatus::CollectiveDiscussion,
                    CaseStatus::Performed,
                    CaseStatus::Closed,
                ]
            }
            Inbox::LegalReview => {
                if !a.has_role(Role::LegalReviewer) {
                    return Err(AppError::with_message(
                        ErrorCode::Forbidden,
                        "法制审核待办只对法制审核员开放",
                    ));
                }
                vec![CaseStatus::LegalReview]
            }
        };
        let mut f = CaseFilter {
            statuses,
            light: true,
            limit: 500,
            ..CaseFilter::default()
        };
        if !scope_filter(a, &mut f) {
            return Ok(capped(Vec::new(), 0));
        }
        let (rows, total) = self.store.read(|c| repo::list(c, &f))?;
        Ok(capped(rows, total))
    }

    /// 三超期两随意: the open cases with an alerting clock, and the closed or withdrawn cases
    /// without complete approvals or with fines off the benchmark (most recent 1,000 of each).
    pub fn case_signals(&self, a: &Actor) -> AppResult<Vec<CaseSignals>> {
        a.require(Resource::Case, Action::View)?;
        let clocks = self.clock_data()?;
        let now = self.now();
        let mut f = CaseFilter {
            clock_states: vec![ClockState::Overdue.code().into(), ClockState::DueSoon.code().into()],
            limit: 1000,
            ..CaseFilter::default()
        };
        if !scope_filter(a, &mut f) {
            return Ok(Vec::new());
        }
        let mut recent = CaseFilter {
            limit: 1000,
            ..f.clone()
        };
        recent.clock_states.clear();
        self.store.read(|c| {
            let (mut rows, _) = repo::list(c, &f)?;
            let (others, _) = repo::list(c, &recent)?;
            for k in others {
                if !rows.iter().any(|r| r.id == k.id) {
                    rows.push(k);
                }
            }
            let mut out = Vec::new();
            for k in rows {
                let cc = case_clocks(c, &clocks, &k, now)?;
                let s = signals(k.status, &k.facts, &cc);
                if !s.is_empty() {
                    out.push(CaseSignals {
                        case_id: k.id,
                        number: k.number.clone(),
                        title: k.title.clone(),
                        status: k.status,
                        signals: s,
                    });
                }
            }
            Ok(out)
        })
    }

    /// Issues (freezes) a document of a case: a JSON snapshot of what it shows, numbered in the
    /// subject's series where the kind is numbered, with the snapshot's SHA-256 recorded.
    pub fn issue_document(&self, a: &Actor, id: i64, kind: DocumentKind) -> AppResult<i64> {
        a.require(Resource::Case, Action::Update)?;
        if !a
            .roles
            .iter()
            .any(|r| matches!(r, Role::Officer | Role::TeamLeader | Role::BureauLeader))
        {
            return Err(AppError::with_message(ErrorCode::Forbidden, "无权签发文书"));
        }
        let now = self.now();
        let clocks = self.clock_data()?;
        let statement_days = clocks
            .rules
            .get(STATEMENT_RULE)
            .filter(|r| r.unit == jingzhi_domain::clock::ClockUnit::WorkingDays)
            .map(|r| r.length);
        self.store.write(|c| {
            let k = repo::get_for_update(c, id)?;
            require_acts(c, a, &k)?;
            let subject = places::get_org(c, k.subject_org_id)?;
            let cfg = crate::case_sheet::SheetConfig {
                documents: crate::case_settings::doc_settings(c)?,
                statement_days,
            };
            let number = match kind {
                DocumentKind::PenaltyDecision | DocumentKind::OnSpotDecision => k.number.clone(),
                _ => match NumberingScheme::standard(&prefix_of(&subject)).pattern(kind) {
                    Some(p) => {
                        let year = civil_date(now).year() as i32;
                        let seq = repo::next_document_seq(c, subject.id, kind, year)?;
                        Some(p.format(year, seq as u64))
                    }
                    None => None,
                },
            };
            // The document as composed now from the case (jingzhi_domain::case::compose) is
            // what is frozen: a later edit of the case cannot change what was issued.
            let sheet = crate::case_sheet::case_sheet(c, &k, &subject, kind, number.as_deref(), &cfg)?;
            let content = jingzhi_domain::case::compose(kind, &sheet);
            let text = serde_json::to_string(&content)
                .map_err(|e| AppError::with_message(ErrorCode::Internal, e.to_string()))?;
            let sha = crate::secrets::sha256_hex(&text);
            let doc = DocumentRow {
                id: 0,
                case_id: id,
                kind,
                number: number.clone(),
                content: text,
                sha256: sha.clone(),
                issued_at: now,
                issued_by: actor_name(a),
            };
            let did = repo::insert_document(c, &doc)?;
            event(
                c,
                a,
                &k,
                "issue_document",
                Some(k.status),
                &format!(
                    "{}{}",
                    kind.label(),
                    number.as_deref().map(|n| format!("（{n}）")).unwrap_or_default()
                ),
                now,
            )?;
            record(
                c,
                a,
                now,
                "case.issue_document",
                "case",
                id,
                NONE,
                Some(&serde_json::json!({"document_id": did, "kind": kind.code(), "number": number, "sha256": sha})),
            )?;
            Ok(did)
        })
    }

    /// An issued document, its content checked against the hash recorded when it was issued
    /// (`document_tampered` when they differ).
    pub fn case_document(&self, a: &Actor, doc_id: i64) -> AppResult<IssuedDocument> {
        a.require(Resource::Case, Action::View)?;
        self.store.read(|c| {
            let d = repo::get_document(c, doc_id)?;
            self.load_case(c, a, d.case_id)?;
            if crate::secrets::sha256_hex(&d.content) != d.sha256 {
                tracing::error!(doc_id, case_id = d.case_id, "case document hash mismatch");
                return Err(AppError::new(ErrorCode::DocumentTampered));
            }
            let mut text = d.content.clone();
            if !jingzhi_domain::authz::sees_party_identity(&a.roles) {
                // The frozen text stays as issued; this reader sees the citizen's identity masked.
                for p in repo::parties_of(c, d.case_id)? {
                    text = redact_identity(&text, &p.to_party());
                }
            }
            let content = serde_json::from_str(&text).map_err(|_| AppError::new(ErrorCode::DocumentTampered))?;
            Ok(IssuedDocument { row: d, content })
        })
    }

    /// The published decisions (public: no actor), personal data of individuals masked.
    pub fn publicity_notices(&self, now: Timestamp) -> AppResult<Vec<PublishedNotice>> {
        let rows = self.store.read(|c| repo::published(c, now, 500))?;
        Ok(rows
            .into_iter()
            .map(|p| PublishedNotice {
                case_id: p.case_id,
                published_at: p.published_at,
                notice: serde_json::from_str(&p.notice).unwrap_or_default(),
            })
            .collect())
    }

    /// Withdraws a published decision (its decision changed or annulled), with the reason; the
    /// withdrawal itself is due within 3 working days of the change (clock met at once).
    pub fn withdraw_publicity(&self, a: &Actor, id: i64, reason: &str) -> AppResult<()> {
        a.require(Resource::Case, Action::Update)?;
        if !(a.has_role(Role::TeamLeader) || a.has_role(Role::BureauLeader)) {
            return Err(AppError::with_message(
                ErrorCode::Forbidden,
                "撤回公示须由队长或区局领导进行",
            ));
        }
        if reason.trim().is_empty() {
            return Err(AppError::field("reason", "撤回公示须公开说明理由"));
        }
        let clocks = self.clock_data()?;
        let now = self.now();
        self.store.write(|c| {
            let k = repo::get_for_update(c, id)?;
            require_acts(c, a, &k)?;
            if !repo::withdraw_publicity(c, id, reason.trim(), now)? {
                return Err(AppError::with_message(
                    ErrorCode::NotFound,
                    "该案件没有正在公示的处罚决定",
                ));
            }
            let v = start(c, &clocks, a, &k, "publicity_withdrawal_3wd", now, now)?;
            ck::meet_clock(c, &clocks, a, v.id, now, now)?;
            event(c, a, &k, "withdraw_publicity", Some(k.status), reason.trim(), now)?;
            record(
                c,
                a,
                now,
                "case.withdraw_publicity",
                "case",
                id,
                NONE,
                Some(&serde_json::json!({"reason": reason.trim()})),
            )?;
            Ok(())
        })
    }
}

// ------------------------------------------------------------------------------------- generator

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SURNAMES: &[&str] = &["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴"];
const GIVEN: &[&str] = &["伟", "芳", "敏", "静", "磊", "洋", "勇", "军", "杰", "娟", "涛", "明"];

/// A valid resident ID number (GB 11643 check digit) for a generated citizen.
fn generated_resident_id(rng: &mut Rng) -> String {
    let first17 = format!(
        "310105{:04}{:02}{:02}{:03}",
        1950 + rng.below(50),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(1000)
    );
    let check = jingzhi_domain::case::ids::resident_id_check_digit(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

impl App {
    /// Writes `count` synthetic penalty cases (filed over the year before now; old ones mostly
    /// closed or archived, recent ones spread over the procedure) with a party, two officers,
    /// evidence, numbers from the subjects' series and the decision clock, in transactions of
    /// `batch` cases, straight through the store (no per-row audit: generated history is not a
    /// state change anyone made). Deterministic for a seed. Calls `progress(done)` per batch.
    pub fn generate_cases(
        &self,
        count: usize,
        batch: usize,
        seed: u64,
        progress: &mut dyn FnMut(usize),
    ) -> AppResult<()> {
        let data = self.intake_data()?;
        let clocks = self.clock_data()?;
        let now = self.now();
        let matters: Vec<MatterTerms> = data
            .catalogue
            .matters()
            .iter()
            .filter(|m| !m.is_other())
            .filter_map(|m| MatterTerms::of(m, None))
            .filter(|t| t.fines.range_for(jingzhi_domain::matter::PartyType::Person).is_some())
            .collect();
        if matters.is_empty() {
            return Err(AppError::with_message(
                ErrorCode::Internal,
                "执法事项目录中没有设定罚款的事项",
            ));
        }
        let (teams, bureau) = self.store.read(|c| {
            let orgs = places::list_orgs(c)?;
            let teams: Vec<OrgUnit> = orgs
                .iter()
                .filter(|o| o.kind == OrgKind::StreetTeam && o.street_code.is_some())
                .cloned()
                .collect();
            let bureau = orgs.iter().find(|o| o.kind == OrgKind::DistrictBureau).cloned();
            Ok::<_, AppError>((teams, bureau))
        })?;
        if teams.is_empty() {
            return Err(AppError::with_message(
                ErrorCode::ValidationFailed,
                "请先导入组织机构与地点（jingzhi org import）",
            ));
        }
        let patterns: Vec<(i64, NumberPattern)> = self.store.read(|c| {
            let mut v = Vec::new();
            for o in teams.iter().chain(bureau.iter()) {
                v.push((o.id, number_pattern(c, o)?));
            }
            Ok::<_, AppError>(v)
        })?;
        let pattern_of = |id: i64| patterns.iter().find(|(i, _)| *i == id).map(|(_, p)| p.clone());
        let officers = vec![
            Officer::new("生成队员甲", Some("31010599990001")),
            Officer::new("生成队员乙", Some("31010599990002")),
        ];
        let open = [
            CaseStatus::Filed,
            CaseStatus::Investigating,
            CaseStatus::InvestigationClosed,
            CaseStatus::CaseReview,
            CaseStatus::LegalReview,
            CaseStatus::PriorNotice,
            CaseStatus::StatementHearing,
            CaseStatus::Decided,
            CaseStatus::Served,
            CaseStatus::Executing,
            CaseStatus::Performed,
        ];
        let mut rng = Rng(seed);
        let mut done = 0;
        while done < count {
            let n = batch.max(1).min(count - done);
            self.write_cases(|c| {
                for _ in 0..n {
                    let team = &teams[rng.below(teams.len())];
                    let subject = match &bureau {
                        Some(b) if rng.chance(10) => b,
                        _ => team,
                    };
                    let terms = matters[rng.below(matters.len())].clone();
                    let filed_at = now - SignedDuration::from_secs((rng.next() % (365 * 86_400)) as i64);
                    let age_days = now.duration_since(filed_at).as_secs() / 86_400;
                    let simple = rng.chance(15);
                    let status = if simple {
                        if age_days > 10 {
                            CaseStatus::Closed
                        } else {
                            CaseStatus::FiledRecord
                        }
                    } else if age_days > 120 && rng.chance(95) {
                        if rng.chance(50) {
                            CaseStatus::Archived
                        } else {
                            CaseStatus::Closed
                        }
                    } else if rng.chance(3) {
                        CaseStatus::Withdrawn
                    } else {
                        open[rng.below(open.len())]
                    };
                    let range = terms
                        .fines
                        .range_for(jingzhi_domain::matter::PartyType::Person)
                        .expect("filtered above");
                    let amount = if simple {
                        range.min.min(200)
                    } else {
                        range.min + (range.max - range.min) * rng.below(5) as i64 / 4
                    };
                    let procedure = if simple {
                        ProcedureKind::Simple
                    } else {
                        ProcedureKind::Ordinary
                    };
                    let name = format!(
                        "{}{}",
                        SURNAMES[rng.below(SURNAMES.len())],
                        GIVEN[rng.below(GIVEN.len())]
                    );
                    let mut f = CaseFacts::new(procedure, jingzhi_domain::case::PartyKind::Citizen);
                    f.matter = Some(terms.clone());
                    f.officers = officers.clone();
                    f.evidence = vec![
                        EvidenceRecord::new(EvidenceType::AudioVisual, "现场照片", officers.clone()),
                        EvidenceRecord::new(EvidenceType::InspectionRecord, "现场检查笔录", officers.clone())
                            .signed(SignatureStatus::PartySigned),
                    ];
                    let decided = !status.is_before_decision() && status != CaseStatus::Withdrawn;
                    let decision = Decision::penalty(vec![Penalty::fine(amount)], Default::default());
                    if procedure == ProcedureKind::Ordinary {
                        f.filing_approval = Some(Approval::new("生成队长", Role::TeamLeader, "生成的测试案件"));
                        if !matches!(status, CaseStatus::Filed | CaseStatus::Investigating) {
                            f.proposal = Some(decision.clone());
                        }
                    }
                    if decided {
                        f.decision = Some(decision.clone());
                    }
                    if matches!(status, CaseStatus::Closed | CaseStatus::Archived) {
                        f.closing = Some(Closing {
                            ground: ClosingGround::Performed,
                            approval: Approval::new("生成队长", Role::TeamLeader, "执行完毕"),
                        });
                        f.execution.performed = true;
                    }
                    if status == CaseStatus::Withdrawn {
                        f.withdrawal = Some(Approval::new("生成队长", Role::TeamLeader, "违法事实不能成立"));
                    }
                    let decided_at =
                        decided.then(|| filed_at + SignedDuration::from_hours(24 * (1 + rng.below(60) as i64)));
                    let decided_at = decided_at.map(|d| d.min(now));
                    let closed = matches!(
                        status,
                        CaseStatus::Closed | CaseStatus::Archived | CaseStatus::Withdrawn
                    );
                    let closed_at = closed
                        .then(|| decided_at.unwrap_or(filed_at) + SignedDuration::from_hours(24 * 20))
                        .map(|d| d.min(now));
                    let year = civil_date(filed_at).year() as i32;
                    let seq = repo::next_case_seq(c, subject.id, year)?;
                    let number = pattern_of(subject.id).map(|p| p.format(year, seq as u64));
                    let street = team.street_code.as_ref().map(|s| s.to_string());
                    let mut k = CaseRow {
                        id: 0,
                        number,
                        subject_org_id: subject.id,
                        year,
                        seq: Some(seq),
                        procedure,
                        status,
                        matter_code: terms.matter_code.clone(),
                        variant: None,
                        clue_id: None,
                        street_code: street.clone(),
                        party_name: name.clone(),
                        party_kind: jingzhi_domain::case::PartyKind::Citizen,
                        title: format!("{name}{}案", terms.matter_name),
                        summary: format!("当事人{name}涉嫌{}（生成的测试数据）", terms.matter_name),
                        place: format!("{}辖区", team.name),
                        amount_yuan: Some(amount),
                        filed_at,
                        decided_at,
                        closed_at,
                        created_by: None,
                        updated_at: closed_at.or(decided_at).unwrap_or(filed_at),
                        facts: f,
                        version: 1,
                    };
                    k.id = repo::insert(c, &k)?;
                    let party = Party {
                        kind: jingzhi_domain::case::PartyKind::Citizen,
                        name: name.clone(),
                        id_type: jingzhi_domain::case::IdType::ResidentId,
                        id_number: generated_resident_id(&mut rng),
                        legal_representative: None,
                        address: format!("上海市长宁区{}辖区", team.name),
                        phone: None,
                    };
                    repo::insert_party(c, k.id, &party, filed_at)?;
                    repo::insert_event(
                        c,
                        &CaseEvent {
                            id: 0,
                            case_id: k.id,
                            at: filed_at,
                            actor_user_id: None,
                            actor_name: "生成".into(),
                            action: if simple {
                                CaseAction::DecideOnSpot
                            } else {
                                CaseAction::File
                            }
                            .code()
                            .into(),
                            from_status: None,
                            to_status: Some(status.code().into()),
                            note: "生成的测试数据".into(),
                            data: None,
                        },
                    )?;
                    if procedure == ProcedureKind::Ordinary {
                        let rule = "case_decision_90d";
                        let met_at = decided_at.or(closed_at);
                        let input = jingzhi_domain::clock::ClockInput {
                            anchor: filed_at,
                            suspensions: &[],
                            extensions: &[],
                            met_at,
                        };
                        let d = clocks
                            .rules
                            .compute(rule, &clocks.calendar, &input, now)
                            .map_err(|e| AppError::with_message(ErrorCode::Internal, e.to_string()))?;
                        clock_repo::insert_clock(
                            c,
                            &clock_repo::ClockRow {
                                id: 0,
                                subject_type: "case".into(),
                                subject_id: k.id,
                                rule_code: rule.into(),
                                anchor_at: filed_at,
                                met_at,
                                state: d.state.code().into(),
                                due_at: d.due_at,
                                provisional: d.provisional.is_some(),
                                street_code: street,
                            },
                            now,
                        )?;
                    }
                }
                Ok::<_, AppError>(())
            })?;
            done += n;
            progress(done);
        }
        self.store.refresh_statistics()?;
        Ok(())
    }
}

// ------------------------------------------------------------------------------------- demo

impl App {
    /// A few demo cases for `serve --demo` (call after `demo::seed`, with its accounts): an
    /// ordinary 占道经营 case at the prior notice, a 餐饮油烟 case waiting for legal review, and a
    /// closed on-the-spot case. Returns their ids.
    pub fn seed_demo_cases(&self, accounts: &[crate::demo::DemoAccount]) -> AppResult<Vec<i64>> {
        let actor = |username: &str| -> AppResult<Actor> {
            let acc = accounts
                .iter()
                .find(|a| a.username == username)
                .ok_or_else(|| AppError::with_message(ErrorCode::Internal, format!("演示账户缺失：{username}")))?;
            let s = self.login(&acc.username, &acc.password, "127.0.0.1", Some("demo"))?;
            let a = self
                .session_actor(&s.token)?
                .ok_or_else(|| AppError::new(ErrorCode::Internal))?;
            Ok(a)
        };
        let (lead, officer, officer2) = (actor("teamlead")?, actor("officer")?, actor("officer2")?);
        let ids = vec![officer.user_id.unwrap_or(0), officer2.user_id.unwrap_or(0)];
        let party = |name: &str, id17: &str, addr: &str| -> AppResult<Party> {
            let check = jingzhi_domain::case::ids::resident_id_check_digit(id17).unwrap_or('0');
            Party::citizen(name, &format!("{id17}{check}"), addr).map_err(|e| AppError::field("party", e.to_string()))
        };
        let fine = |amount: i64, level: jingzhi_domain::matter::DiscretionLevel| {
            Decision::penalty(
                vec![Penalty::fine(amount)],
                jingzhi_domain::case::Discretion {
                    level: Some(level),
                    reasons: "初次被查处，配合调查".into(),
                    ..Default::default()
                },
            )
        };
        let evidence = |id: i64| -> AppResult<()> {
            self.add_evidence(
                &officer,
                id,
                &NewEvidence {
                    evidence_type: EvidenceType::AudioVisual,
                    title: "现场照片（4张）".into(),
                    collected_by: ids.clone(),
                    collected_at: None,
                    place: String::new(),
                    signature: None,
                    sha256: None,
                    size: None,
                    content_type: None,
                },
            )?;
            self.add_record(
                &officer,
                id,
                &NewRecord {
                    kind: DocumentKind::InspectionRecord,
                    content: "现场检查：当事人在人行道上设摊经营，占地约3平方米。".into(),
                    officers: ids.clone(),
                    signature: Some(SignatureStatus::PartySigned),
                    recorded_at: None,
                },
            )?;
            Ok(())
        };
        let base = |matter: &str, title: &str, p: Party| OpenCase {
            procedure: ProcedureKind::Ordinary,
            clue_id: None,
            matter_code: matter.into(),
            variant: None,
            street_code: None,
            title: title.into(),
            summary: format!("{title}（演示数据）"),
            place: "长宁区".into(),
            party: p,
            officer_ids: ids.clone(),
            reason: "巡查发现，经核查属实，符合立案条件".into(),
            decision: None,
        };
        let review = |id: i64, d: Decision| -> AppResult<()> {
            self.case_act(&officer, id, &CaseStep::of(CaseAction::StartInvestigation))?;
            evidence(id)?;
            self.case_act(&officer, id, &CaseStep::of(CaseAction::CloseInvestigation))?;
            let mut s = CaseStep::of(CaseAction::SubmitReview);
            s.proposal = Some(d);
            self.case_act(&officer, id, &s)?;
            self.case_act(&lead, id, &CaseStep::of(CaseAction::ApproveReview))?;
            Ok(())
        };
        use jingzhi_domain::matter::DiscretionLevel as L;
        let mut out = Vec::new();
        let a = self.open_case(
            &lead,
            &base(
                "street_vending",
                "王伟占道经营案",
                party("王伟", "31010519800101123", "上海市长宁区某路1号")?,
            ),
        )?;
        review(a, fine(200, L::Ordinary))?;
        self.case_act(&officer, a, &CaseStep::of(CaseAction::SendPriorNotice))?;
        out.push(a);
        let b = self.open_case(
            &lead,
            &base(
                "catering_fumes",
                "李芳餐饮油烟案",
                party("李芳", "31010519850505234", "上海市长宁区某路2号")?,
            ),
        )?;
        review(b, fine(8_000, L::Slight))?;
        out.push(b);
        let mut simple = base(
            "street_vending",
            "张敏占道经营（当场处罚）",
            party("张敏", "31010519900909345", "上海市长宁区某路3号")?,
        );
        simple.procedure = ProcedureKind::Simple;
        simple.decision = Some(fine(80, L::Slight));
        let c = self.open_case(&officer, &simple)?;
        let mut collect = CaseStep::of(CaseAction::CollectOnSpot);
        collect.collection = Some(OnSpotCollection {
            ground: jingzhi_domain::case::CollectionGround::SmallAmount,
            amount_yuan: 80,
            receipt_no: "沪财罚00000001".into(),
        });
        self.case_act(&officer, c, &collect)?;
        self.case_act(&officer, c, &CaseStep::of(CaseAction::FileRecord))?;
        let mut close = CaseStep::of(CaseAction::Close).reason("当场收缴，已备案");
        close.closing_ground = Some(ClosingGround::Performed);
        self.case_act(&lead, c, &close)?;
        out.push(c);
        Ok(out)
    }
}
