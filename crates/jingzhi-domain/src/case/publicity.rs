//! 公示 (publicity) of penalty decisions: which decisions are published, what a public notice
//! shows (personal data of individuals masked; organisations by name), when it is due
//! (`decision_publicity`, 7 working days by default — 20 in some catalogues, \[U\]) and its
//! withdrawal within 3 working days when the decision is changed or annulled
//! (`publicity_withdrawal_3wd`, 行政处罚法 第四十八条第二款).

use super::party::{Party, PartyKind};
use super::penalty::{Decision, DecisionKind, penalties_text};
use super::procedure::ProcedureKind;
use crate::coded::CodeTable;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The clock rule of publication (counted from the decision, `decision_made`).
pub const PUBLICITY_RULE: &str = "decision_publicity";
/// The clock rule of withdrawal (counted from the change, `decision_changed`).
pub const WITHDRAWAL_RULE: &str = "publicity_withdrawal_3wd";

crate::coded_enum! {
    /// 公示状态.
    pub enum PublicityStatus {
        /// 待公示: due under `decision_publicity`.
        Pending = ("pending", "待公示"),
        /// 已公示.
        Published = ("published", "已公示"),
        /// 已撤回 (with the reason published, 第四十八条第二款).
        Withdrawn = ("withdrawn", "已撤回"),
        /// 不公示 (outside the publicity policy).
        NotPublished = ("not_published", "不公示"),
    }
}

crate::coded_enum! {
    /// 处罚决定变更情形 (行政处罚法 第四十八条第二款).
    pub enum DecisionChange {
        /// 被依法变更.
        Changed = ("changed", "变更"),
        /// 被依法撤销.
        Annulled = ("annulled", "撤销"),
        /// 被确认违法.
        ConfirmedIllegal = ("confirmed_illegal", "确认违法"),
        /// 被确认无效.
        ConfirmedVoid = ("confirmed_void", "确认无效"),
    }
}

/// Which decisions are published. Default: ordinary-procedure penalty decisions; simple-procedure
/// and no-penalty decisions are not (the bureau's own catalogue was not found, \[U\]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublicityPolicy {
    pub include_simple_procedure: bool,
    pub include_no_penalty: bool,
}

impl PublicityPolicy {
    /// Whether a decision is to be published (第四十八条第一款; 国办发〔2018〕118号).
    pub fn must_publish(&self, procedure: ProcedureKind, decision: DecisionKind) -> bool {
        let by_kind = match decision {
            DecisionKind::Penalty => true,
            DecisionKind::NoPenalty => self.include_no_penalty,
            DecisionKind::TransferJudicial => false,
        };
        by_kind && (procedure == ProcedureKind::Ordinary || self.include_simple_procedure)
    }

    /// The status a new decision starts with, and the clock rule to start (if any).
    pub fn on_decision(
        &self,
        procedure: ProcedureKind,
        decision: DecisionKind,
    ) -> (PublicityStatus, Option<&'static str>) {
        if self.must_publish(procedure, decision) {
            (PublicityStatus::Pending, Some(PUBLICITY_RULE))
        } else {
            (PublicityStatus::NotPublished, None)
        }
    }
}

/// What to do with the publicity when a decision is changed or annulled: a published notice must
/// be withdrawn within 3 working days (clock [`WITHDRAWAL_RULE`]) with the reason made public; a
/// pending one is simply not published. `None` when nothing was or will be published.
pub fn on_decision_change(status: PublicityStatus) -> Option<(PublicityStatus, Option<&'static str>)> {
    match status {
        PublicityStatus::Published => Some((PublicityStatus::Withdrawn, Some(WITHDRAWAL_RULE))),
        PublicityStatus::Pending => Some((PublicityStatus::NotPublished, None)),
        PublicityStatus::Withdrawn | PublicityStatus::NotPublished => None,
    }
}

/// The reason published with a withdrawal: “该行政处罚决定已被依法撤销，现撤回公示信息。”
pub fn withdrawal_notice(change: DecisionChange) -> String {
    let how = match change {
        DecisionChange::Changed => "依法变更",
        DecisionChange::Annulled => "依法撤销",
        DecisionChange::ConfirmedIllegal => "确认违法",
        DecisionChange::ConfirmedVoid => "确认无效",
    };
    format!("该行政处罚决定已被{how}，现撤回公示信息。")
}

/// The input of a public notice.
#[derive(Debug, Clone, Copy)]
pub struct NoticeInput<'a> {
    pub party: &'a Party,
    /// 行政处罚决定书文号.
    pub document_no: &'a str,
    /// 执法主体 (作出决定的机关).
    pub authority: &'a str,
    pub decided_on: Date,
    pub matter_name: &'a str,
    /// 主要违法事实 (personal data of the party is masked in it).
    pub facts: &'a str,
    pub legal_basis: &'a str,
    pub decision: &'a Decision,
}

/// 行政处罚决定公示 — what the public page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicNotice {
    pub document_no: String,
    pub party_kind: PartyKind,
    /// Citizen: 张**; organisation: full name.
    pub party_name: String,
    /// Citizen: 310105********1234; organisation: the credit code.
    pub party_id: String,
    /// Organisation: 法定代表人/负责人, masked (张**) — a natural person's data. Citizen: `None`.
    pub legal_representative: Option<String>,
    /// Citizen: cut after the district; organisation: full address.
    pub address: String,
    pub matter: String,
    pub facts: String,
    pub legal_basis: String,
    /// "罚款5000元" etc.
    pub penalty: String,
    pub authority: String,
    pub decided_on: Date,
}

/// Builds the public notice: personal data of an individual masked everywhere (also inside the
/// facts text), organisations shown by name and code.
pub fn public_notice(input: &NoticeInput<'_>) -> PublicNotice {
    let p = input.party;
    PublicNotice {
        document_no: input.document_no.to_string(),
        party_kind: p.kind,
        party_name: p.masked_name(),
        party_id: p.masked_id(),
        legal_representative: p.legal_representative.as_deref().map(super::party::mask_name),
        address: p.masked_address(),
        matter: input.matter_name.to_string(),
        facts: redact(input.facts, p),
        legal_basis: input.legal_basis.to_string(),
        penalty: penalties_text(&input.decision.penalties),
        authority: input.authority.to_string(),
        decided_on: input.decided_on,
    }
}

/// Replaces a party's personal data inside a free text with the masked forms: a citizen's name,
/// identity number, address and phone; an organisation's legal representative and phone.
pub fn redact(text: &str, party: &Party) -> String {
    let mut s = redact_identity(text, party);
    if party.kind.is_organization() {
        if let Some(phone) = &party.phone {
            replace_in(&mut s, phone, &crate::clue::mask_phone(phone));
        }
    } else {
        replace_in(&mut s, &party.name, &party.masked_name());
    }
    if let Some(rep) = &party.legal_representative {
        replace_in(&mut s, rep, &super::party::mask_name(rep));
    }
    s
}

/// Replaces a citizen party's identity number, address and phone inside a free text with their
/// masked forms ([`Party::identity_masked`]); the name stays, an organisation's text is unchanged.
pub fn redact_identity(text: &str, party: &Party) -> String {
    let mut s = text.to_string();
    let masked = party.identity_masked();
    if let (Some(phone), Some(m)) = (&party.phone, &masked.phone) {
        replace_in(&mut s, phone, m);
    }
    replace_in(&mut s, &party.id_number, &masked.id_number);
    replace_in(&mut s, &party.address, &masked.address);
    s
}

fn replace_in(s: &mut String, from: &str, to: &str) {
    if !from.trim().is_empty() && from != to && s.contains(from) {
        *s = s.replace(from, to);
    }
}

pub(super) fn code_tables() -> Vec<CodeTable> {
    vec![CodeTable::of::<PublicityStatus>(), CodeTable::of::<DecisionChange>()]
}
