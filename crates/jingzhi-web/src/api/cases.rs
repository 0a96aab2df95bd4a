//! Penalty case endpoints (办案): open a case (立案 or 当场处罚), the list with filters, one case
//! with everything its page shows (clocks with explanations, the steps the caller may take with
//! their outcome or refusal), steps through the procedure, parties, officers, evidence, 笔录,
//! frozen documents, the approval and legal-review inboxes, 三超期两随意 signals and the public
//! publicity list. Codes are those of docs/glossary.md ("Cases · 案件"); a refused gate answers
//! 409 `gate_refused` with the refusal and its article.

use super::ApiJson;
use super::clocks::{DeadlineDto, deadline_dto};
use crate::error::{ApiError, ApiErrorBody};
use crate::extract::ApiUser;
use crate::{WebState, blocking};
use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jingzhi_app::cases::{
    CaseListRequest, CaseStep, CaseView, EvidenceRow, Inbox, IssuedDocument, NewEvidence, NewRecord, OpenCase,
    RecordRow,
};
use jingzhi_app::{AppError, FieldError};
use jingzhi_domain::case::{
    Adjustment, CaseAction, CaseStatus, ClosingGround, CollectionGround, Decision, DecisionKind, Discretion,
    DocumentKind, EvidenceType, IdType, NoPenaltyGround, OnSpotCollection, Party, PartyKind, Penalty, PenaltyKind,
    ProcedureKind, ResidentId, ReviewFlags, ServiceMethod, ServiceRecord, SignalKind, SignatureStatus, Uscc,
    needs_reason,
};
use jingzhi_domain::coded::Coded;
use jingzhi_domain::matter::DiscretionLevel;
use jingzhi_domain::time::{format_ts, parse_instant};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, open_case))
        .routes(routes!(get_case))
        .routes(routes!(take_case_step))
        .routes(routes!(add_party))
        .routes(routes!(assign_officers))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(list_evidence, add_evidence))
                .routes(routes!(evidence_file))
                .layer(DefaultBodyLimit::max(EVIDENCE_BODY_LIMIT)),
        )
        .routes(routes!(officer_choices))
        .routes(routes!(add_record))
        .routes(routes!(issue_document))
        .routes(routes!(withdraw_publicity))
        .routes(routes!(get_case_document))
        .routes(routes!(case_inbox))
        .routes(routes!(case_signals))
        .routes(routes!(publicity))
}

type ApiResult<T> = Result<T, ApiError>;

/// The largest evidence upload body; the file policy (`AppConfig::file_policy`) sets the limit of
/// the file itself and answers 413 with its own message above it.
const EVIDENCE_BODY_LIMIT: usize = 64 * 1024 * 1024;

fn bad(field: &str, msg: impl Into<String>) -> ApiError {
    ApiError(AppError::field(field, msg))
}

/// A coded value by its code (or its Chinese label); an unknown one is a field error that lists
/// the codes allowed.
fn coded<T: Coded>(field: &str, v: &str, what: &str) -> ApiResult<T> {
    let v = v.trim();
    T::from_code(v)
        .or_else(|| T::all().iter().copied().find(|x| x.label() == v))
        .ok_or_else(|| {
            let codes: Vec<&str> = T::all().iter().map(|x| x.code()).collect();
            bad(field, format!("未知的{what}：{v}（可选：{}）", codes.join("、")))
        })
}

fn opt_coded<T: Coded>(field: &str, v: &Option<String>, what: &str) -> ApiResult<Option<T>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(x) => coded(field, x, what).map(Some),
    }
}

fn instant(field: &str, v: &Option<String>) -> ApiResult<Option<jiff::Timestamp>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_instant(t).map(Some).map_err(|m| bad(field, m)),
    }
}

// ---------------------------------------------------------------- DTOs out

/// A case as lists show it.
#[derive(Serialize, ToSchema)]
pub struct CaseDto {
    pub id: i64,
    /// 案件编号 (e.g. 长宁城管罚字〔2026〕第0001号).
    pub number: Option<String>,
    /// 执法主体 (org unit id).
    pub subject_org_id: i64,
    pub year: i32,
    pub seq: Option<i64>,
    /// ordinary, simple
    pub procedure: String,
    pub procedure_label: String,
    /// filed, investigating, investigation_closed, case_review, legal_review, collective_discussion,
    /// prior_notice, statement_hearing, decided, served, executing, performed, closed, archived,
    /// withdrawn, on_the_spot, filed_record
    pub status: String,
    pub status_label: String,
    pub matter_code: String,
    pub variant: Option<String>,
    pub clue_id: Option<i64>,
    pub street_code: Option<String>,
    pub party_name: String,
    /// citizen, legal_person, other_organization
    pub party_kind: String,
    pub title: String,
    /// 案情.
    pub summary: String,
    pub place: String,
    /// The decided (or proposed) fine in 元.
    pub amount_yuan: Option<i64>,
    pub filed_at: String,
    pub decided_at: Option<String>,
    pub closed_at: Option<String>,
    pub updated_at: String,
    /// Send it back as `version` with a step to refuse a stale write (`stale_case`).
    pub version: i64,
}

/// A case row (`jingzhi_store`'s `CaseRow`, which this crate does not name: it knows only the
/// app) as the API shows it.
macro_rules! case_dto {
    ($k:expr) => {{
        let k = $k;
        CaseDto {
            id: k.id,
            number: k.number.clone(),
            subject_org_id: k.subject_org_id,
            year: k.year,
            seq: k.seq,
            procedure: k.procedure.code().into(),
            procedure_label: k.procedure.label().into(),
            status: k.status.code().into(),
            status_label: k.status.label().into(),
            matter_code: k.matter_code.clone(),
            variant: k.variant.clone(),
            clue_id: k.clue_id,
            street_code: k.street_code.clone(),
            party_name: k.party_name.clone(),
            party_kind: k.party_kind.code().into(),
            title: k.title.clone(),
            summary: k.summary.clone(),
            place: k.place.clone(),
            amount_yuan: k.amount_yuan,
            filed_at: format_ts(k.filed_at),
            decided_at: k.decided_at.map(format_ts),
            closed_at: k.closed_at.map(format_ts),
            updated_at: format_ts(k.updated_at),
            version: k.version,
        }
    }};
}

#[derive(Serialize, ToSchema)]
pub struct CaseListDto {
    /// Matches of the filters, counted up to 10,000.
    pub total: i64,
    /// True when more than 10,000 match (narrow the filters).
    pub total_capped: bool,
    pub limit: i64,
    pub offset: i64,
    pub items: Vec<CaseDto>,
}

#[derive(Serialize, ToSchema)]
pub struct PartyDto {
    pub id: i64,
    /// citizen, legal_person, other_organization
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    /// resident_id, uscc, hk_macao_permit, taiwan_permit, foreign_permanent_residence, passport, other_id
    pub id_type: String,
    pub id_type_label: String,
    pub id_number: String,
    pub legal_representative: Option<String>,
    pub address: String,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OfficerDto {
    pub user_id: Option<i64>,
    pub name: String,
    /// 执法证号 (absent: no enforcement certificate).
    pub certificate_no: Option<String>,
}

fn officer_dto(o: &jingzhi_domain::case::Officer) -> OfficerDto {
    OfficerDto {
        user_id: o.user_id,
        name: o.name.clone(),
        certificate_no: o.certificate_no.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceDto {
    pub id: i64,
    /// documentary, physical, audio_visual, electronic_data, witness_testimony, party_statement,
    /// expert_opinion, inspection_record
    pub evidence_type: String,
    pub evidence_type_label: String,
    pub title: String,
    pub collected_by: Vec<OfficerDto>,
    pub collected_at: String,
    pub place: String,
    /// party_signed, witness_signed, refusal_noted
    pub signature: Option<String>,
    /// The file's SHA-256 (the bytes are in the file store).
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub content_type: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordDto {
    pub id: i64,
    /// inspection_record, inquiry_record
    pub kind: String,
    pub kind_label: String,
    pub content: String,
    pub officers: Vec<OfficerDto>,
    pub signature: Option<String>,
    pub recorded_at: String,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentRefDto {
    /// GET /api/v1/case-documents/{id}.
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    /// 文号 (absent for internal forms and records).
    pub number: Option<String>,
    /// SHA-256 of the frozen snapshot.
    pub sha256: String,
    pub issued_at: String,
    pub issued_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseEventDto {
    pub at: String,
    pub actor_name: String,
    /// A step code (file, decide…) or add_party, add_evidence, add_record, assign_officers,
    /// issue_document, withdraw_publicity.
    pub action: String,
    pub action_label: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseClockDto {
    pub id: i64,
    pub rule: String,
    /// One sentence a person can check by hand.
    pub explanation: String,
    pub deadline: DeadlineDto,
}

/// A step the caller may take now, with where it leads or why it is refused.
#[derive(Serialize, ToSchema)]
pub struct AvailableActionDto {
    /// The action code (POST /api/v1/cases/{id}/steps with `{"action": code, …}`).
    pub code: String,
    pub label: String,
    pub needs_reason: bool,
    /// False when a gate refuses it now (see `refusal`).
    pub allowed: bool,
    pub next_status: Option<String>,
    pub next_status_label: Option<String>,
    /// The refusal with its legal article.
    pub refusal: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicityDto {
    pub published_at: String,
    pub due_by: Option<String>,
    pub withdrawn_at: Option<String>,
    pub reason: Option<String>,
    /// The masked public notice.
    #[schema(value_type = Object)]
    pub notice: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct SignalDto {
    /// overdue_filing, overdue_decision, overdue_execution, arbitrary_closing, arbitrary_withdrawal,
    /// amount_outside_band
    pub kind: String,
    pub kind_label: String,
    /// due_soon, overdue, late, irregular
    pub level: String,
    pub level_label: String,
    pub rule: Option<String>,
    pub detail: String,
}

fn signal_dto(s: &jingzhi_domain::case::Signal) -> SignalDto {
    SignalDto {
        kind: s.kind.code().into(),
        kind_label: s.kind.label().into(),
        level: s.level.code().into(),
        level_label: s.level.label().into(),
        rule: s.rule.clone(),
        detail: s.detail.clone(),
    }
}

/// A case with everything its page shows.
#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseDto,
    /// 执法主体名称.
    pub subject_name: String,
    /// What the gates read (proposal, notice, hearing, decision, service, execution, closing…), as
    /// `jingzhi_domain::case::CaseFacts` serialises it.
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
    pub parties: Vec<PartyDto>,
    pub officers: Vec<OfficerDto>,
    /// Empty when the caller may not see evidence.
    pub evidence: Vec<EvidenceDto>,
    pub records: Vec<RecordDto>,
    pub documents: Vec<DocumentRefDto>,
    pub events: Vec<CaseEventDto>,
    pub clocks: Vec<CaseClockDto>,
    pub available_actions: Vec<AvailableActionDto>,
    pub publicity: Option<PublicityDto>,
    pub signals: Vec<SignalDto>,
}

fn event_label(action: &str) -> String {
    if let Some(a) = CaseAction::from_code(action) {
        return a.label().into();
    }
    match action {
        "add_party" => "增加当事人",
        "add_record" => "制作笔录",
        "assign_officers" => "指派承办人员",
        "issue_document" => "签发文书",
        "withdraw_publicity" => "撤回公示",
        _ => "",
    }
    .into()
}

fn evidence_dto(e: &EvidenceRow) -> EvidenceDto {
    EvidenceDto {
        id: e.id,
        evidence_type: e.evidence_type.code().into(),
        evidence_type_label: e.evidence_type.label().into(),
        title: e.title.clone(),
        collected_by: e.officers.iter().map(officer_dto).collect(),
        collected_at: format_ts(e.collected_at),
        place: e.place.clone(),
        signature: e.signature.map(|s| s.code().to_string()),
        sha256: e.sha256.clone(),
        size: e.size,
        content_type: e.content_type.clone(),
        created_by: e.created_by.clone(),
        created_at: format_ts(e.created_at),
    }
}

fn record_dto(r: &RecordRow) -> RecordDto {
    RecordDto {
        id: r.id,
        kind: r.kind.code().into(),
        kind_label: r.kind.label().into(),
        content: r.content.clone(),
        officers: r.officers.iter().map(officer_dto).collect(),
        signature: r.signature.map(|s| s.code().to_string()),
        recorded_at: format_ts(r.recorded_at),
        created_by: r.created_by.clone(),
        created_at: format_ts(r.created_at),
    }
}

fn detail(v: &CaseView) -> CaseDetail {
    CaseDetail {
        case: case_dto!(&v.case),
        subject_name: v.subject_name.clone(),
        facts: serde_json::to_value(&v.case.facts).unwrap_or(serde_json::Value::Null),
        parties: v
            .parties
            .iter()
            .map(|p| PartyDto {
                id: p.id,
                kind: p.kind.code().into(),
                kind_label: p.kind.label().into(),
                name: p.name.clone(),
                id_type: p.id_type.code().into(),
                id_type_label: p.id_type.label().into(),
                id_number: p.id_number.clone(),
                legal_representative: p.legal_representative.clone(),
                address: p.address.clone(),
                phone: p.phone.clone(),
            })
            .collect(),
        officers: v.officers.iter().map(officer_dto).collect(),
        evidence: v.evidence.iter().map(evidence_dto).collect(),
        records: v.records.iter().map(record_dto).collect(),
        documents: v
            .documents
            .iter()
            .map(|d| DocumentRefDto {
                id: d.id,
                kind: d.kind.code().into(),
                kind_label: d.kind.label().into(),
                number: d.number.clone(),
                sha256: d.sha256.clone(),
                issued_at: format_ts(d.issued_at),
                issued_by: d.issued_by.clone(),
            })
            .collect(),
        events: v
            .events
            .iter()
            .map(|e| CaseEventDto {
                at: format_ts(e.at),
                actor_name: e.actor_name.clone(),
                action: e.action.clone(),
                action_label: event_label(&e.action),
                from_status: e.from_status.clone(),
                to_status: e.to_status.clone(),
                note: e.note.clone(),
            })
            .collect(),
        clocks: v
            .clocks
            .iter()
            .map(|c| CaseClockDto {
                id: c.clock.id,
                rule: c.clock.row.rule_code.clone(),
                explanation: c.explanation.clone(),
                deadline: deadline_dto(&c.clock.deadline),
            })
            .collect(),
        available_actions: v
            .available_actions
            .iter()
            .map(|x| {
                let (next, refusal) = match &x.outcome {
                    Ok(s) => (Some(*s), None),
                    Err(r) => (None, Some(r.clone())),
                };
                AvailableActionDto {
                    code: x.action.code().into(),
                    label: x.action.label().into(),
                    needs_reason: needs_reason(x.action),
                    allowed: next.is_some(),
                    next_status: next.map(|s| s.code().to_string()),
                    next_status_label: next.map(|s| s.label().to_string()),
                    refusal,
                }
            })
            .collect(),
        publicity: v.publicity.as_ref().map(|p| PublicityDto {
            published_at: format_ts(p.published_at),
            due_by: p.due_by.map(format_ts),
            withdrawn_at: p.withdrawn_at.map(format_ts),
            reason: p.reason.clone(),
            notice: serde_json::from_str(&p.notice).unwrap_or(serde_json::Value::Null),
        }),
        signals: v.signals.iter().map(signal_dto).collect(),
    }
}

// ---------------------------------------------------------------- DTOs in

/// A party (当事人). The identity number is checked by its type: a resident ID by its GB 11643
/// check digit, a unified social credit code by its GB 32100 check digit.
#[derive(Deserialize, ToSchema)]
pub struct PartyIn {
    /// citizen (default), legal_person, other_organization
    #[serde(default)]
    pub kind: Option<String>,
    pub name: String,
    /// Default: resident_id for a citizen, uscc for an organisation.
    #[serde(default)]
    pub id_type: Option<String>,
    pub id_number: String,
    /// 法定代表人 / 负责人 (organisations only).
    #[serde(default)]
    pub legal_representative: Option<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: Option<String>,
}

/// Validates a party, with each problem on its own field (`party.id_number`…).
fn party_of(p: &PartyIn) -> ApiResult<Party> {
    let kind: PartyKind = match opt_coded("party.kind", &p.kind, "当事人类别")? {
        Some(k) => k,
        None => PartyKind::Citizen,
    };
    let id_type: IdType = match opt_coded("party.id_type", &p.id_type, "证件类型")? {
        Some(t) => t,
        None => kind.id_types()[0],
    };
    let party = Party {
        kind,
        name: p.name.clone(),
        id_type,
        id_number: p.id_number.clone(),
        legal_representative: p.legal_representative.clone(),
        address: p.address.clone(),
        phone: p.phone.clone(),
    };
    match party.clone().validated() {
        Ok(v) => Ok(v),
        Err(e) => {
            let id_error = match id_type {
                IdType::ResidentId => ResidentId::parse(&p.id_number).err().map(|e| e.to_string()),
                IdType::Uscc => Uscc::parse(&p.id_number).err().map(|e| e.to_string()),
                _ => None,
            };
            let fields = e
                .messages
                .iter()
                .map(|m| {
                    let field = if Some(m) == id_error.as_ref() || m.contains("号码") {
                        "party.id_number"
                    } else if m.contains("不能使用") {
                        "party.id_type"
                    } else if m.contains("法定代表人") || m.contains("负责人") {
                        "party.legal_representative"
                    } else if m.contains("地址") {
                        "party.address"
                    } else if m.contains("电话") {
                        "party.phone"
                    } else if m.contains("姓名") || m.contains("名称") {
                        "party.name"
                    } else {
                        "party"
                    };
                    FieldError {
                        field: field.into(),
                        message: m.clone(),
                    }
                })
                .collect();
            Err(ApiError(AppError::fields(fields)))
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct PenaltyIn {
    /// warning, criticism, fine, confiscate_gains, confiscate_property, suspend_license,
    /// lower_qualification, revoke_license, restrict_business, suspend_production, order_closure,
    /// restrict_employment, demolition
    pub kind: String,
    /// 元 (fine, confiscate_gains, confiscate_property).
    #[serde(default)]
    pub amount_yuan: Option<i64>,
    #[serde(default)]
    pub detail: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct DiscretionIn {
    /// 裁量等级: slight, ordinary, serious, grave.
    #[serde(default)]
    pub level: Option<String>,
    /// standard (default), lighter, mitigated, heavier
    #[serde(default)]
    pub adjustment: Option<String>,
    /// 情节严重 (the law's separate range).
    #[serde(default)]
    pub serious: bool,
    /// 裁量理由 (required for a fine).
    #[serde(default)]
    pub reasons: String,
    /// Why the amount lies outside the chosen band (then the case is flagged).
    #[serde(default)]
    pub outside_band_reason: String,
    /// The base of a multiple-based fine, 元.
    #[serde(default)]
    pub base_yuan: Option<i64>,
}

/// A decision or proposal (拟处理意见).
#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// penalty, no_penalty, transfer_judicial
    pub kind: String,
    #[serde(default)]
    pub penalties: Vec<PenaltyIn>,
    #[serde(default)]
    pub discretion: DiscretionIn,
    /// For no_penalty: minor_corrected, first_offence, no_fault, not_established, time_barred, incapacity
    #[serde(default)]
    pub no_penalty_ground: Option<String>,
}

fn penalties_of(field: &str, ps: &[PenaltyIn]) -> ApiResult<Vec<Penalty>> {
    ps.iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(Penalty {
                kind: coded::<PenaltyKind>(&format!("{field}[{i}].kind"), &p.kind, "处罚种类")?,
                amount_yuan: p.amount_yuan,
                detail: p.detail.trim().to_string(),
            })
        })
        .collect()
}

fn decision_of(field: &str, d: &DecisionIn) -> ApiResult<Decision> {
    let x = &d.discretion;
    Ok(Decision {
        kind: coded::<DecisionKind>(&format!("{field}.kind"), &d.kind, "处理决定")?,
        penalties: penalties_of(&format!("{field}.penalties"), &d.penalties)?,
        discretion: Discretion {
            level: opt_coded::<DiscretionLevel>(&format!("{field}.discretion.level"), &x.level, "裁量等级")?,
            adjustment: opt_coded::<Adjustment>(
                &format!("{field}.discretion.adjustment"),
                &x.adjustment,
                "处罚幅度调整",
            )?
            .unwrap_or_default(),
            serious: x.serious,
            reasons: x.reasons.trim().to_string(),
            outside_band_reason: x.outside_band_reason.trim().to_string(),
            base_yuan: x.base_yuan,
        },
        no_penalty_ground: opt_coded::<NoPenaltyGround>(
            &format!("{field}.no_penalty_ground"),
            &d.no_penalty_ground,
            "不予处罚情形",
        )?,
    })
}

#[derive(Deserialize, ToSchema)]
pub struct ServiceIn {
    /// direct, lodging, mail, announcement, electronic
    pub method: String,
    /// electronic: the party consented in writing.
    #[serde(default)]
    pub consent_on_file: bool,
    /// lodging: witnessed, photographed or filmed.
    #[serde(default)]
    pub witnessed_or_recorded: bool,
    /// announcement: whereabouts unknown or other methods failed.
    #[serde(default)]
    pub other_methods_failed: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct CollectionIn {
    /// small_amount, hard_to_enforce, remote_area
    pub ground: String,
    pub amount_yuan: i64,
    /// 专用票据号.
    #[serde(default)]
    pub receipt_no: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct FlagsIn {
    #[serde(default)]
    pub complex_or_major: bool,
    #[serde(default)]
    pub major_public_interest: bool,
    #[serde(default)]
    pub complex_legal_relations: bool,
    #[serde(default)]
    pub other_review_ground: Option<String>,
    #[serde(default)]
    pub building_completed: bool,
}

/// A new case: 普通程序 (立案, by a team leader or bureau leader, with a reason) or 简易程序
/// (当场处罚, by an officer, with the decision).
#[derive(Deserialize, ToSchema)]
pub struct OpenCaseIn {
    /// ordinary (default) or simple.
    #[serde(default)]
    pub procedure: Option<String>,
    /// The clue it comes from (verified as 属实).
    #[serde(default)]
    pub clue_id: Option<i64>,
    pub matter_code: String,
    #[serde(default)]
    pub variant: Option<String>,
    /// Default: the clue's street, or the caller's team's.
    #[serde(default)]
    pub street_code: Option<String>,
    /// 案由.
    pub title: String,
    /// 案情.
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub place: String,
    pub party: PartyIn,
    /// 承办执法人员 (user ids; at least two with enforcement certificates to investigate).
    #[serde(default)]
    pub officer_ids: Vec<i64>,
    /// 立案理由 (ordinary).
    #[serde(default)]
    pub reason: String,
    /// The on-the-spot decision (simple).
    #[serde(default)]
    pub decision: Option<DecisionIn>,
}

/// One step: the action code and the inputs that step reads (others are ignored).
#[derive(Deserialize, ToSchema)]
pub struct CaseStepIn {
    /// start_investigation, order_correction, close_investigation, submit_review, approve_review,
    /// return_for_investigation, submit_legal_review, pass_legal_review, fail_legal_review,
    /// submit_collective_discussion, conclude_discussion, send_prior_notice, receive_statement,
    /// request_hearing, hold_hearing, handle_statements, waive_rights, decide, serve, record_paid,
    /// impose_surcharge, send_reminder, apply_court_enforcement, substitute_perform,
    /// complete_execution, close, archive, withdraw, collect_on_spot, file_record
    pub action: String,
    /// Reason or opinion (required where `needs_reason`).
    #[serde(default)]
    pub reason: String,
    /// The case version the caller saw; a different current version answers 409 `stale_case`.
    #[serde(default)]
    pub version: Option<i64>,
    /// submit_review, approve_review, submit_legal_review, submit_collective_discussion: 拟处理意见.
    #[serde(default)]
    pub proposal: Option<DecisionIn>,
    /// The case review's grounds for legal review / collective discussion.
    #[serde(default)]
    pub flags: Option<FlagsIn>,
    /// send_prior_notice: the penalties notified (default: the proposal's).
    #[serde(default)]
    pub notice_penalties: Option<Vec<PenaltyIn>>,
    /// send_prior_notice: the hearing right was told.
    #[serde(default)]
    pub hearing_right_told: bool,
    /// decide.
    #[serde(default)]
    pub decision: Option<DecisionIn>,
    /// serve.
    #[serde(default)]
    pub service: Option<ServiceIn>,
    /// When the step happened (RFC 3339, or YYYY-MM-DD[THH:MM] in Asia/Shanghai); default now.
    #[serde(default)]
    pub at: Option<String>,
    /// hold_hearing: when the hearing notice reached the party.
    #[serde(default)]
    pub hearing_notice_at: Option<String>,
    /// order_correction: the party refused or let the deadline pass.
    #[serde(default)]
    pub correction_refused: bool,
    /// close: performed, no_penalty, transferred, court_enforcement, execution_terminated
    #[serde(default)]
    pub closing_ground: Option<String>,
    /// collect_on_spot.
    #[serde(default)]
    pub collection: Option<CollectionIn>,
    #[serde(default)]
    pub performance_overdue: bool,
    #[serde(default)]
    pub immediate_substitute: bool,
    #[serde(default)]
    pub enforcement_review_passed: bool,
}

fn step_of(b: &CaseStepIn) -> ApiResult<CaseStep> {
    let action: CaseAction = coded("action", &b.action, "办案环节")?;
    if action.opens_case() {
        return Err(bad(
            "action",
            format!("“{}”通过 POST /api/v1/cases 办理", action.label()),
        ));
    }
    Ok(CaseStep {
        action: Some(action),
        reason: b.reason.clone(),
        version: b.version,
        proposal: b.proposal.as_ref().map(|d| decision_of("proposal", d)).transpose()?,
        flags: b.flags.as_ref().map(|f| ReviewFlags {
            complex_or_major: f.complex_or_major,
            major_public_interest: f.major_public_interest,
            complex_legal_relations: f.complex_legal_relations,
            other_review_ground: f.other_review_ground.clone().filter(|s| !s.trim().is_empty()),
            building_completed: f.building_completed,
        }),
        notice_penalties: b
            .notice_penalties
            .as_ref()
            .map(|p| penalties_of("notice_penalties", p))
            .transpose()?,
        hearing_right_told: b.hearing_right_told,
        decision: b.decision.as_ref().map(|d| decision_of("decision", d)).transpose()?,
        service: b
            .service
            .as_ref()
            .map(|s| {
                Ok::<_, ApiError>(ServiceRecord {
                    method: coded::<ServiceMethod>("service.method", &s.method, "送达方式")?,
                    consent_on_file: s.consent_on_file,
                    witnessed_or_recorded: s.witnessed_or_recorded,
                    other_methods_failed: s.other_methods_failed,
                })
            })
            .transpose()?,
        at: instant("at", &b.at)?,
        hearing_notice_at: instant("hearing_notice_at", &b.hearing_notice_at)?,
        correction_refused: b.correction_refused,
        closing_ground: opt_coded::<ClosingGround>("closing_ground", &b.closing_ground, "结案理由")?,
        collection: b
            .collection
            .as_ref()
            .map(|c| {
                Ok::<_, ApiError>(OnSpotCollection {
                    ground: coded::<CollectionGround>("collection.ground", &c.ground, "当场收缴情形")?,
                    amount_yuan: c.amount_yuan,
                    receipt_no: c.receipt_no.trim().to_string(),
                })
            })
            .transpose()?,
        performance_overdue: b.performance_overdue,
        immediate_substitute: b.immediate_substitute,
        enforcement_review_passed: b.enforcement_review_passed,
    })
}

// ---------------------------------------------------------------- list and open

#[derive(Deserialize, IntoParams)]
struct CaseListParams {
    /// A status code (filed, investigating, … closed).
    status: Option<String>,
    /// ordinary or simple.
    procedure: Option<String>,
    /// Matter code.
    matter: Option<String>,
    /// 执法主体 org id.
    subject_org_id: Option<i64>,
    /// Part of the number, a party's name or the title.
    q: Option<String>,
    /// 三超期: overdue_filing, overdue_decision, overdue_execution (cases with such an overdue clock).
    overdue: Option<String>,
    /// A signal kind (the overdue ones, or arbitrary_closing, arbitrary_withdrawal, amount_outside_band).
    signal: Option<String>,
    /// Cases this user is an officer of.
    officer: Option<i64>,
    /// Only cases still being handled.
    open_only: Option<bool>,
    /// Page size, 1–500 (default 50).
    limit: Option<i64>,
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListParams), responses(
    (status = 200, body = CaseListDto), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn list_cases(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Query(p): Query<CaseListParams>,
) -> ApiResult<Json<CaseListDto>> {
    let req = CaseListRequest {
        status: opt_coded::<CaseStatus>("status", &p.status, "案件状态")?,
        procedure: opt_coded::<ProcedureKind>("procedure", &p.procedure, "程序类型")?,
        matter_code: p.matter.filter(|m| !m.trim().is_empty()),
        subject_org_id: p.subject_org_id,
        q: p.q.unwrap_or_default(),
        overdue: match opt_coded::<SignalKind>("overdue", &p.overdue, "超期类型")? {
            Some(k) if !k.is_overdue() => return Err(bad("overdue", format!("“{}”不是超期类型", k.label()))),
            k => k,
        },
        signal: opt_coded::<SignalKind>("signal", &p.signal, "监督信号类型")?,
        officer_user_id: p.officer,
        open_only: p.open_only.unwrap_or(false),
        limit: p.limit.unwrap_or(50).clamp(1, 500),
        offset: p.offset.unwrap_or(0).max(0),
    };
    let (limit, offset) = (req.limit, req.offset);
    let app = s.app.clone();
    let list = blocking(move || app.list_cases(&a, &req)).await?;
    Ok(Json(CaseListDto {
        total: list.total,
        total_capped: list.total_capped,
        limit,
        offset,
        items: list.rows.iter().map(|k| case_dto!(k)).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = OpenCaseIn, responses(
    (status = 201, description = "Opened (filed, or decided on the spot): the case", body = CaseDetail),
    (status = 422, description = "validation_failed (party.id_number…)", body = ApiErrorBody),
    (status = 409, description = "gate_refused: the refusal with its article", body = ApiErrorBody),
    (status = 403, body = ApiErrorBody)))]
async fn open_case(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<OpenCaseIn>,
) -> ApiResult<(StatusCode, Json<CaseDetail>)> {
    let procedure =
        opt_coded::<ProcedureKind>("procedure", &b.procedure, "程序类型")?.unwrap_or(ProcedureKind::Ordinary);
    let party = party_of(&b.party)?;
    let decision = b.decision.as_ref().map(|d| decision_of("decision", d)).transpose()?;
    if procedure == ProcedureKind::Simple && decision.is_none() {
        return Err(bad("decision", "当场处罚须填写处罚决定"));
    }
    let n = OpenCase {
        procedure,
        clue_id: b.clue_id,
        matter_code: b.matter_code.trim().to_string(),
        variant: b.variant.clone().filter(|v| !v.trim().is_empty()),
        street_code: b.street_code.clone().filter(|v| !v.trim().is_empty()),
        title: b.title.clone(),
        summary: b.summary.clone(),
        place: b.place.clone(),
        party,
        officer_ids: b.officer_ids.clone(),
        reason: b.reason.clone(),
        decision,
    };
    let app = s.app.clone();
    let v = blocking(move || {
        let id = app.open_case(&a, &n)?;
        app.case_view(&a, id)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(detail(&v))))
}

// ---------------------------------------------------------------- one case

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = CaseDetail), (status = 404, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn get_case(State(s): State<WebState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult<Json<CaseDetail>> {
    let app = s.app.clone();
    let v = blocking(move || app.case_view(&a, id)).await?;
    Ok(Json(detail(&v)))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "cases", request_body = CaseStepIn,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The case after the step", body = CaseDetail),
        (status = 409, description = "gate_refused (the refusal with its legal article) or stale_case", body = ApiErrorBody),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn take_case_step(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CaseStepIn>,
) -> ApiResult<Json<CaseDetail>> {
    let step = step_of(&b)?;
    let app = s.app.clone();
    let v = blocking(move || {
        app.case_act(&a, id, &step)?;
        app.case_view(&a, id)
    })
    .await?;
    Ok(Json(detail(&v)))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedId {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/parties", tag = "cases", request_body = PartyIn,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 201, body = CreatedId), (status = 422, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn add_party(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PartyIn>,
) -> ApiResult<(StatusCode, Json<CreatedId>)> {
    let party = party_of(&b)?;
    let app = s.app.clone();
    let pid = blocking(move || app.add_party(&a, id, &party)).await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id: pid })))
}

#[derive(Deserialize, ToSchema)]
pub struct OfficersIn {
    /// The officers' user ids (replaces the list).
    pub officer_ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/officers", tag = "cases", request_body = OfficersIn,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The officers now assigned", body = Vec<OfficerDto>),
        (status = 422, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn assign_officers(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<OfficersIn>,
) -> ApiResult<Json<Vec<OfficerDto>>> {
    let app = s.app.clone();
    let v = blocking(move || {
        app.assign_officers(&a, id, &b.officer_ids)?;
        app.case_view(&a, id)
    })
    .await?;
    Ok(Json(v.officers.iter().map(officer_dto).collect()))
}

/// Evidence metadata; a file is identified by its SHA-256 (kept by the file store).
#[derive(Deserialize, ToSchema)]
pub struct EvidenceIn {
    /// documentary, physical, audio_visual, electronic_data, witness_testimony, party_statement,
    /// expert_opinion, inspection_record
    pub evidence_type: String,
    pub title: String,
    /// The collecting officers' user ids (two with enforcement certificates).
    pub collected_by: Vec<i64>,
    /// Default now.
    #[serde(default)]
    pub collected_at: Option<String>,
    #[serde(default)]
    pub place: String,
    /// Records (笔录, statements): party_signed, witness_signed, refusal_noted
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub size: Option<i64>,
    #[serde(default)]
    pub content_type: Option<String>,
}

/// The multipart form of an evidence upload: the fields of `EvidenceIn` (with `collected_by`
/// repeated or comma-separated) and the `file` itself, stored by its SHA-256.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    pub evidence_type: String,
    pub title: String,
    /// User ids, repeated or comma-separated.
    pub collected_by: String,
    pub collected_at: Option<String>,
    pub place: Option<String>,
    pub signature: Option<String>,
    /// The photo, recording, video or document (type read from the bytes; size and types limited).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError(AppError::new(jingzhi_app::ErrorCode::PayloadTooLarge))
    } else {
        ApiError(AppError::with_message(
            jingzhi_app::ErrorCode::BadRequest,
            e.body_text(),
        ))
    }
}

/// Reads an evidence upload into `EvidenceIn` and the file (name, declared type, bytes).
async fn evidence_upload(req: Request, s: &WebState) -> ApiResult<(EvidenceIn, Option<(String, Vec<u8>)>)> {
    let mut mp = Multipart::from_request(req, s)
        .await
        .map_err(|_| ApiError(AppError::new(jingzhi_app::ErrorCode::BadRequest)))?;
    let mut b = EvidenceIn {
        evidence_type: String::new(),
        title: String::new(),
        collected_by: Vec::new(),
        collected_at: None,
        place: String::new(),
        signature: None,
        sha256: None,
        size: None,
        content_type: None,
    };
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        let declared = field.content_type().unwrap_or_default().to_string();
        let data = field.bytes().await.map_err(multipart_error)?;
        let text = || String::from_utf8_lossy(&data).trim().to_string();
        match name.as_str() {
            "file" if !data.is_empty() => file = Some((declared, data.to_vec())),
            "evidence_type" => b.evidence_type = text(),
            "title" => b.title = text(),
            "collected_by" => {
                for part in text().split([',', '，', ' ']).filter(|x| !x.is_empty()) {
                    let id = part
                        .parse::<i64>()
                        .map_err(|_| bad("collected_by", format!("执法人员编号应为数字：{part}")))?;
                    b.collected_by.push(id);
                }
            }
            "collected_at" => b.collected_at = Some(text()),
            "place" => b.place = text(),
            "signature" => b.signature = Some(text()),
            _ => {}
        }
    }
    Ok((b, file))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence", tag = "cases",
    request_body(content(
        (EvidenceIn = "application/json"),
        (EvidenceUpload = "multipart/form-data")
    ), description = "Metadata as JSON (a file already stored is named by `sha256`), or a multipart form with the `file`, which is checked against the upload policy and stored by its SHA-256."),
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 201, body = CreatedId),
        (status = 409, description = "gate_refused: e.g. fewer than two certified officers", body = ApiErrorBody),
        (status = 413, description = "payload_too_large: the file is over the limit", body = ApiErrorBody),
        (status = 422, description = "validation_failed, e.g. `file`: a type not allowed or not what it claims to be", body = ApiErrorBody),
        (status = 403, body = ApiErrorBody)))]
async fn add_evidence(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    req: Request,
) -> ApiResult<(StatusCode, Json<CreatedId>)> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (b, file) = if multipart {
        let (b, file) = evidence_upload(req, &s).await?;
        if file.is_none() {
            return Err(bad("file", "缺少证据文件（表单字段 file）"));
        }
        (b, file)
    } else {
        let ApiJson(b) = ApiJson::<EvidenceIn>::from_request(req, &s).await?;
        (b, None)
    };
    let mut e = NewEvidence {
        evidence_type: coded::<EvidenceType>("evidence_type", &b.evidence_type, "证据种类")?,
        title: b.title.clone(),
        collected_by: b.collected_by.clone(),
        collected_at: instant("collected_at", &b.collected_at)?,
        place: b.place.clone(),
        signature: opt_coded::<SignatureStatus>("signature", &b.signature, "签名情况")?,
        sha256: b
            .sha256
            .clone()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty()),
        size: b.size,
        content_type: b.content_type.clone().filter(|c| !c.trim().is_empty()),
    };
    let app = s.app.clone();
    let eid = blocking(move || {
        if let Some((declared, bytes)) = &file {
            if e.title.trim().is_empty() {
                return Err(AppError::field("title", "请填写证据名称"));
            }
            let stored = app.store_evidence_file(&a, declared, bytes)?;
            e.sha256 = Some(stored.sha256);
            e.size = Some(stored.size);
            e.content_type = Some(stored.content_type);
        }
        app.add_evidence(&a, id, &e)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id: eid })))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/evidence/{evidence_id}/file", tag = "cases",
    params(("id" = i64, Path, description = "Case id"), ("evidence_id" = i64, Path, description = "Evidence id")),
    responses((status = 200, description = "The file's bytes, its hash verified; the download is audited", content_type = "application/octet-stream"),
        (status = 404, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 500, description = "the stored file no longer matches its hash", body = ApiErrorBody)))]
async fn evidence_file(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path((id, evidence_id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let app = s.app.clone();
    let (row, bytes) = blocking(move || app.evidence_file_of(&a, Some(id), evidence_id)).await?;
    let ct = row
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"evidence\"".to_string(),
            ),
            (
                header::HeaderName::from_static("x-content-sha256"),
                row.sha256.clone().unwrap_or_default(),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}

/// The evidence and 笔录 of a case.
#[derive(Serialize, ToSchema)]
pub struct CaseEvidenceDto {
    pub evidence: Vec<EvidenceDto>,
    pub records: Vec<RecordDto>,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/evidence", tag = "cases", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, description = "The evidence and 笔录 (this view is audited)", body = CaseEvidenceDto),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn list_evidence(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<CaseEvidenceDto>> {
    let app = s.app.clone();
    let (ev, recs) = blocking(move || app.list_evidence(&a, id)).await?;
    Ok(Json(CaseEvidenceDto {
        evidence: ev.iter().map(evidence_dto).collect(),
        records: recs.iter().map(record_dto).collect(),
    }))
}

/// An officer who may be put on a case.
#[derive(Serialize, ToSchema)]
pub struct OfficerChoiceDto {
    pub user_id: i64,
    pub name: String,
    /// 执法证号 (absent: none on file; the two-officer gate will refuse such an officer).
    pub certificate_no: Option<String>,
    pub org_name: String,
}

#[utoipa::path(get, path = "/api/v1/case-officers", tag = "cases", responses(
    (status = 200, description = "The officers and team leaders the caller may put on a case (own team; every team for district users), certified first", body = Vec<OfficerChoiceDto>),
    (status = 403, body = ApiErrorBody)))]
async fn officer_choices(State(s): State<WebState>, ApiUser(a): ApiUser) -> ApiResult<Json<Vec<OfficerChoiceDto>>> {
    let app = s.app.clone();
    let v = blocking(move || app.officer_choices(&a)).await?;
    Ok(Json(
        v.into_iter()
            .map(|o| OfficerChoiceDto {
                user_id: o.user_id,
                name: o.name,
                certificate_no: o.certificate_no,
                org_name: o.org_name,
            })
            .collect(),
    ))
}

/// A 笔录.
#[derive(Deserialize, ToSchema)]
pub struct RecordIn {
    /// inspection_record (现场检查笔录) or inquiry_record (询问笔录).
    pub kind: String,
    pub content: String,
    /// The officers' user ids.
    pub officers: Vec<i64>,
    /// party_signed, witness_signed, refusal_noted
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub recorded_at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/records", tag = "cases", request_body = RecordIn,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 201, body = CreatedId), (status = 409, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn add_record(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RecordIn>,
) -> ApiResult<(StatusCode, Json<CreatedId>)> {
    let r = NewRecord {
        kind: coded::<DocumentKind>("kind", &b.kind, "笔录种类")?,
        content: b.content.clone(),
        officers: b.officers.clone(),
        signature: opt_coded::<SignatureStatus>("signature", &b.signature, "签名情况")?,
        recorded_at: instant("recorded_at", &b.recorded_at)?,
    };
    let app = s.app.clone();
    let rid = blocking(move || app.add_record(&a, id, &r)).await?;
    Ok((StatusCode::CREATED, Json(CreatedId { id: rid })))
}

// ---------------------------------------------------------------- documents

#[derive(Deserialize, ToSchema)]
pub struct IssueDocumentIn {
    /// A document kind (filing_approval, prior_notice, penalty_decision, service_receipt, …).
    pub kind: String,
}

/// An issued document: the frozen snapshot, its hash checked on every read.
#[derive(Serialize, ToSchema)]
pub struct IssuedDocumentDto {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub kind_label: String,
    pub number: Option<String>,
    /// SHA-256 (hex) of the snapshot's JSON text, recorded when it was issued.
    pub sha256: String,
    pub issued_at: String,
    pub issued_by: String,
    /// The frozen document as composed when it was issued (`jingzhi_domain::case::Document`:
    /// kind, issuer, title, number, heading, blocks, form).
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
}

fn issued_dto(d: &IssuedDocument) -> IssuedDocumentDto {
    IssuedDocumentDto {
        id: d.row.id,
        case_id: d.row.case_id,
        kind: d.row.kind.code().into(),
        kind_label: d.row.kind.label().into(),
        number: d.row.number.clone(),
        sha256: d.row.sha256.clone(),
        issued_at: format_ts(d.row.issued_at),
        issued_by: d.row.issued_by.clone(),
        content: d.content.clone(),
    }
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", tag = "cases", request_body = IssueDocumentIn,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 201, description = "Issued and frozen", body = IssuedDocumentDto),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn issue_document(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<IssueDocumentIn>,
) -> ApiResult<(StatusCode, Json<IssuedDocumentDto>)> {
    let kind = coded::<DocumentKind>("kind", &b.kind, "文书种类")?;
    let app = s.app.clone();
    let d = blocking(move || {
        let did = app.issue_document(&a, id, kind)?;
        app.case_document(&a, did)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(issued_dto(&d))))
}

#[utoipa::path(get, path = "/api/v1/case-documents/{id}", tag = "cases", params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = IssuedDocumentDto),
        (status = 500, description = "document_tampered: the content no longer matches its hash", body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn get_case_document(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<IssuedDocumentDto>> {
    let app = s.app.clone();
    let d = blocking(move || app.case_document(&a, id)).await?;
    Ok(Json(issued_dto(&d)))
}

// ---------------------------------------------------------------- inboxes, signals, publicity

#[derive(Deserialize, IntoParams)]
struct InboxParams {
    /// approval (待审批: team and bureau leaders) or legal_review (待法制审核: legal reviewers).
    kind: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/case-inbox", tag = "cases", params(InboxParams), responses(
    (status = 200, body = CaseListDto), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn case_inbox(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Query(p): Query<InboxParams>,
) -> ApiResult<Json<CaseListDto>> {
    let inbox = match p.kind.as_deref().map(str::trim) {
        None | Some("") | Some("approval") => Inbox::Approval,
        Some("legal_review") => Inbox::LegalReview,
        Some(other) => {
            return Err(bad(
                "kind",
                format!("未知的待办类型：{other}（可选：approval、legal_review）"),
            ));
        }
    };
    let app = s.app.clone();
    let list = blocking(move || app.case_inbox(&a, inbox)).await?;
    Ok(Json(CaseListDto {
        total: list.total,
        total_capped: list.total_capped,
        limit: list.rows.len() as i64,
        offset: 0,
        items: list.rows.iter().map(|k| case_dto!(k)).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CaseSignalsDto {
    pub case_id: i64,
    pub number: Option<String>,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub signals: Vec<SignalDto>,
}

#[utoipa::path(get, path = "/api/v1/case-signals", tag = "cases", responses(
    (status = 200, description = "三超期两随意: cases with an alerting clock or an arbitrary-handling finding", body = Vec<CaseSignalsDto>),
    (status = 403, body = ApiErrorBody)))]
async fn case_signals(State(s): State<WebState>, ApiUser(a): ApiUser) -> ApiResult<Json<Vec<CaseSignalsDto>>> {
    let app = s.app.clone();
    let v = blocking(move || app.case_signals(&a)).await?;
    Ok(Json(
        v.iter()
            .map(|c| CaseSignalsDto {
                case_id: c.case_id,
                number: c.number.clone(),
                title: c.title.clone(),
                status: c.status.code().into(),
                status_label: c.status.label().into(),
                signals: c.signals.iter().map(signal_dto).collect(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawIn {
    /// Why the published decision is withdrawn (published with the withdrawal).
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/publicity/withdraw", tag = "cases", request_body = WithdrawIn,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 204, description = "Withdrawn"), (status = 404, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn withdraw_publicity(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<WithdrawIn>,
) -> ApiResult<StatusCode> {
    let app = s.app.clone();
    blocking(move || app.withdraw_publicity(&a, id, &b.reason)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A published penalty decision (personal data of individuals masked).
#[derive(Serialize, ToSchema)]
pub struct PublishedNoticeDto {
    pub case_id: i64,
    pub published_at: String,
    /// document_no, party_kind, party_name (张**), party_id (310105********1234), legal_representative,
    /// address (cut after the district), matter, facts, legal_basis, penalty, authority, decided_on.
    #[schema(value_type = Object)]
    pub notice: serde_json::Value,
}

#[utoipa::path(get, path = "/api/v1/publicity", tag = "cases", security(()), responses(
    (status = 200, description = "Public, no authentication: the published decisions, newest first", body = Vec<PublishedNoticeDto>)))]
async fn publicity(State(s): State<WebState>) -> ApiResult<Json<Vec<PublishedNoticeDto>>> {
    let app = s.app.clone();
    let v = blocking(move || app.publicity_notices(app.now())).await?;
    Ok(Json(
        v.into_iter()
            .map(|n| PublishedNoticeDto {
                case_id: n.case_id,
                published_at: format_ts(n.published_at),
                notice: n.notice,
            })
            .collect(),
    ))
}
