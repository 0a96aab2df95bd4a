//! 办案 (penalty cases): the pure rules of the administrative-penalty procedure — parties and
//! their identity numbers, the ordinary and simple procedures as a state machine, the gates of
//! each step with their legal articles, documents and numbering, 三超期两随意 signals and the
//! publicity of decisions. No I/O and no clock reads: time-dependent facts are computed by the
//! application with the clock engine (`crate::clock`) and passed in.
//!
//! # Pieces
//!
//! - [`ids`]: [`ResidentId`] (GB 11643, MOD 11-2) and [`Uscc`] (GB 32100 with the GB 11714
//!   organisation code), Chinese errors.
//! - [`party`]: [`Party`] — [`PartyKind`] 公民/法人/其他组织, identity document by kind, legal
//!   representative, masked forms for publicity.
//! - [`procedure`]: [`CaseStatus`], [`CaseAction`], [`next_status`], [`initial_status`],
//!   [`available_actions`], [`route`], [`roles_for`].
//! - [`penalty`]: [`PenaltyKind`], [`DecisionKind`], [`Decision`], [`Discretion`].
//! - [`evidence`]: [`EvidenceType`] (the eight statutory types), [`EvidenceRecord`], [`Officer`].
//! - [`facts`]: [`CaseFacts`] — what the gates read — and [`MatterTerms`] (from the catalogue).
//! - [`gates`]: [`Refusal`] { gate, message, article }, [`Thresholds`], one function per gate,
//!   [`legal_review_required`], [`hearing_ground`], [`assess_amount`].
//! - [`documents`]: [`DocumentKind`], [`NumberPattern`] (`长宁城管罚字〔{year}〕第{seq:04}号`),
//!   [`ServiceMethod`], [`documents_for`].
//! - [`sheet`]: [`CaseSheet`] (every fact a document prints), [`compose`] → [`Document`] of
//!   [`Block`]s in the standard layout, amounts in capitals ([`yuan_in_capitals`]).
//! - [`signals`](mod@signals): 三超期两随意 — [`signals()`], [`SignalKind`].
//! - [`publicity`]: [`PublicityPolicy`], [`public_notice`], withdrawal.
//!
//! # Example
//!
//! ```ignore
//! use jingzhi_domain::case::*;
//! let th = Thresholds::default();
//! let mut f = CaseFacts::new(ProcedureKind::Ordinary, PartyKind::Citizen);
//! f.evidence = records; // each collected by two certified officers, 笔录 signed
//! f.decision = Some(Decision::penalty(vec![Penalty::warning()], Discretion::default()));
//! let e = next_status(CaseStatus::CaseReview, CaseAction::Decide, &f, &th).unwrap_err();
//! assert_eq!(e.gate, Gate::PriorNotice);
//! assert_eq!(e.to_string(), "未经事先告知不得作出处罚决定（《行政处罚法》第六十二条）");
//! ```
//!
//! The procedure, the gates with their articles and the thresholds are described in
//! `docs/cases.md`; every code is in `docs/glossary.md` ("Cases · 案件").

pub mod documents;
pub mod evidence;
pub mod facts;
pub mod gates;
pub mod ids;
pub mod party;
pub mod penalty;
pub mod procedure;
pub mod publicity;
pub mod sheet;
pub mod signals;

pub use documents::{DocumentKind, NumberPattern, NumberingScheme, ServiceMethod, ServiceRecord, documents_for};
pub use evidence::{EvidenceRecord, EvidenceType, Officer, SignatureStatus, certified_count};
pub use facts::{
    Approval, CaseFacts, Closing, CorrectionFacts, ExecutionFacts, HearingFacts, MatterTerms, NoticeFacts,
    OnSpotCollection, ReviewFlags,
};
pub use gates::{
    AmountAssessment, BandRange, CollectiveReason, Confidence, Gate, HearingGround, LegalReviewReason, Refusal,
    Thresholds, assess_amount, check_action, collective_discussion_required, hearing_ground, legal_review_reasons,
    legal_review_required,
};
pub use ids::{ResidentId, ResidentIdError, Uscc, UsccError};
pub use party::{IdType, Party, PartyError, PartyKind};
pub use penalty::{
    Adjustment, CollectionGround, Decision, DecisionKind, Discretion, NoPenaltyGround, Penalty, PenaltyKind,
};
pub use procedure::{
    CaseAction, CaseStatus, ClosingGround, ExecutionStep, ProcedureKind, available_actions, initial_status, is_allowed,
    needs_reason, next_status, roles_for, route,
};
pub use publicity::{DecisionChange, NoticeInput, PublicNotice, PublicityPolicy, PublicityStatus, public_notice};
pub use sheet::{
    Block, CaseSheet, Document, Field, OpinionStage, StatementOutcome, compose, compose_all, fen_in_capitals,
    yuan_in_capitals,
};
pub use signals::{CaseClock, Signal, SignalKind, SignalLevel, default_overdue_kind, signals};

use crate::coded::CodeTable;

/// The coded enums of the case module, for the glossary check (`coded::all_code_tables`).
pub fn code_tables() -> Vec<CodeTable> {
    let mut v = Vec::new();
    v.extend(party::code_tables());
    v.extend(procedure::code_tables());
    v.extend(penalty::code_tables());
    v.extend(evidence::code_tables());
    v.extend(documents::code_tables());
    v.extend(gates::code_tables());
    v.extend(sheet::code_tables());
    v.extend(signals::code_tables());
    v.extend(publicity::code_tables());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLOSSARY: &str = include_str!("../../../../docs/glossary.md");

    fn case_section() -> &'static str {
        let at = GLOSSARY.find("## Cases · 案件").expect("glossary has the case section");
        &GLOSSARY[at..]
    }

    #[test]
    fn every_case_code_and_label_is_in_the_glossary_case_section() {
        let section = case_section();
        for t in code_tables() {
            assert!(
                section.contains(&format!("`{}`", t.name)),
                "glossary lacks enum {}",
                t.name
            );
            for (code, label) in &t.entries {
                assert!(
                    section.contains(&format!("`{code}`")),
                    "glossary lacks `{code}` ({})",
                    t.name
                );
                assert!(section.contains(label), "glossary lacks label {label} ({})", t.name);
            }
        }
    }

    #[test]
    fn code_tables_are_registered_with_the_domain() {
        let all = crate::coded::all_code_tables();
        for t in code_tables() {
            assert!(
                all.iter().any(|a| a.name == t.name),
                "{} not in all_code_tables",
                t.name
            );
        }
        for t in code_tables() {
            let n = all.iter().filter(|a| a.name == t.name).count();
            assert_eq!(n, 1, "enum name {} is used {n} times in the domain", t.name);
        }
    }
}
