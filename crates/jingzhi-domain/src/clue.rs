//! 线索 (clues): where enforcement starts. A clue comes in by a channel, is reviewed (受理审核),
//! dispatched to a street/town team (派单), signed for (签收), verified on site (核查), disposed
//! of (处置), replied to (回复) and closed (办结). This module holds the vocabulary, the state
//! machine with its refusals, who may take each step, and which legal clocks run on a clue.
//! The application layer stores clues and calls these rules; nothing here does I/O.

use crate::coded::CodeTable;
use crate::role::Role;

crate::coded_enum! {
    /// 线索来源渠道
    pub enum Channel {
        Hotline12345 = ("hotline_12345", "12345工单"),
        PropertyReport = ("property_report", "物业报告"),
        GridReport = ("grid_report", "网格上报"),
        Patrol = ("patrol", "巡查发现"),
        DepartmentTransfer = ("department_transfer", "部门移送"),
        SuperiorAssignment = ("superior_assignment", "上级交办"),
        PublicReport = ("public_report", "公众举报"),
        Campaign = ("campaign", "专项行动"),
    }
}

crate::coded_enum! {
    /// 12345工单诉求类型 (decides the work order's time limit)
    pub enum WorkOrderType {
        Consult = ("consult", "咨询建议"),
        Supervise = ("supervise", "督办回访"),
        Complaint = ("complaint", "求助投诉"),
        Complex = ("complex", "复杂事项"),
    }
}

impl WorkOrderType {
    /// The clock rule of the work order (`data/clock-rules.toml`).
    pub fn clock_rule(self) -> &'static str {
        match self {
            WorkOrderType::Consult => "hotline_consult_1wd",
            WorkOrderType::Supervise => "hotline_supervise_3wd",
            WorkOrderType::Complaint => "hotline_complaint_5wd",
            WorkOrderType::Complex => "hotline_complex_15wd",
        }
    }

    /// Reads the type as 12345 exports write it (咨询, 建议, 投诉, 求助, 举报, 督办, 回访, 复杂…).
    pub fn from_text(s: &str) -> Option<WorkOrderType> {
        let s = s.trim();
        if let Some(t) = WorkOrderType::from_code(s) {
            return Some(t);
        }
        if s.contains("复杂") {
            Some(WorkOrderType::Complex)
        } else if s.contains("督办") || s.contains("回访") || s.contains("复核") {
            Some(WorkOrderType::Supervise)
        } else if s.contains("咨询") || s.contains("建议") || s.contains("意见") {
            Some(WorkOrderType::Consult)
        } else if s.contains("投诉") || s.contains("求助") || s.contains("举报") {
            Some(WorkOrderType::Complaint)
        } else {
            None
        }
    }
}

crate::coded_enum! {
    /// 线索状态
    pub enum ClueStatus {
        Registered = ("registered", "待受理"),
        Accepted = ("accepted", "待派单"),
        Dispatched = ("dispatched", "待签收"),
        Signed = ("signed", "待核查"),
        Verified = ("verified", "待处置"),
        Disposed = ("disposed", "待回复"),
        Replied = ("replied", "待办结"),
        Closed = ("closed", "已办结"),
        Returned = ("returned", "已退回来源"),
        Transferred = ("transferred", "已移送部门"),
        Linked = ("linked", "已并案"),
    }
}

impl ClueStatus {
    /// Still being handled (counts in queues and clocks).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            ClueStatus::Closed | ClueStatus::Returned | ClueStatus::Transferred
        )
    }
}

crate::coded_enum! {
    /// 线索办理环节
    pub enum ClueAction {
        Register = ("register", "登记"),
        Accept = ("accept", "受理"),
        ReturnToSource = ("return_to_source", "退回来源"),
        TransferOut = ("transfer_out", "移送部门"),
        Dispatch = ("dispatch", "派单"),
        Reassign = ("reassign", "改派"),
        Sign = ("sign", "签收"),
        SendBack = ("send_back", "退单"),
        Verify = ("verify", "核查"),
        Dispose = ("dispose", "处置"),
        Reply = ("reply", "回复"),
        Close = ("close", "办结"),
        Link = ("link", "并案"),
        Unlink = ("unlink", "取消并案"),
        Reclassify = ("reclassify", "更正事项"),
        Relocate = ("relocate", "更正辖区"),
        Attach = ("attach", "上传附件"),
        Note = ("note", "备注"),
    }
}

crate::coded_enum! {
    /// 核查结论
    pub enum Verification {
        Confirmed = ("confirmed", "属实"),
        Unfounded = ("unfounded", "不属实"),
    }
}

crate::coded_enum! {
    /// 处置方式
    pub enum Disposal {
        FileCase = ("file_case", "立案"),
        OrderCorrection = ("order_correction", "责令改正"),
        NoCase = ("no_case", "不予立案"),
        TransferDisposal = ("transfer_disposal", "移送处理"),
    }
}

/// A clue as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Clue {
    pub id: i64,
    /// XS2026000123
    pub no: String,
    pub channel: Channel,
    /// The source's own reference (a 12345 work-order number); unique per channel.
    pub source_ref: Option<String>,
    pub work_order_type: Option<WorkOrderType>,
    pub status: ClueStatus,
    pub description: String,
    pub address: String,
    /// WGS84 (GCJ-02 input is converted on entry).
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub compound_id: Option<i64>,
    /// A stable key of the place (`compound-id:…`, `compound:…`, `addr:…`) for duplicate search.
    pub place_key: Option<String>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub anonymous: bool,
    /// The org unit that reported it (property company, grid, department…).
    pub reporter_org_id: Option<i64>,
    pub reporter_user_id: Option<i64>,
    pub discovered_at: Option<jiff::Timestamp>,
    pub under_construction: bool,
    pub matter_code: String,
    /// A dispatcher confirmed or corrected the suggested matter.
    pub matter_confirmed: bool,
    /// The classifier's suggestion, as JSON (matter, confidence, reasons, alternatives).
    pub classification: String,
    /// Department kind suggested for out-of-remit clues.
    pub suggested_department: Option<String>,
    pub street_code: Option<String>,
    pub grid_code: Option<String>,
    pub locate_method: crate::geo::LocateMethod,
    pub locate_reason: String,
    /// The street team it is dispatched to.
    pub assigned_org_id: Option<i64>,
    /// The department it was transferred to.
    pub transferred_to_org_id: Option<i64>,
    pub handler_user_id: Option<i64>,
    /// The open clue this one repeats (并案).
    pub duplicate_of: Option<i64>,
    /// How many later clues repeat this one (重复投诉).
    pub repeat_count: i64,
    pub verification: Option<Verification>,
    pub verification_note: Option<String>,
    pub disposal: Option<Disposal>,
    pub disposal_note: Option<String>,
    pub recheck_date: Option<jiff::civil::Date>,
    pub reply: Option<String>,
    pub received_at: jiff::Timestamp,
    pub replied_at: Option<jiff::Timestamp>,
    pub closed_at: Option<jiff::Timestamp>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
    /// Search tokens (see `search`).
    pub search_text: String,
}

impl Clue {
    /// The facts the scoping rule reads.
    pub fn footprint(&self, compound_company: Option<i64>) -> crate::org::Footprint {
        crate::org::Footprint {
            street_code: self
                .street_code
                .as_deref()
                .and_then(|s| crate::org::StreetCode::parse(s).ok()),
            reporter_org: self.reporter_org_id,
            compound_company,
            sent_to: self.transferred_to_org_id.into_iter().collect(),
        }
    }
}

/// The next status after an action, or the reason it is refused (Chinese).
pub fn next_status(from: ClueStatus, action: ClueAction) -> Result<ClueStatus, String> {
    use ClueAction as A;
    use ClueStatus as S;
    let to = match (from, action) {
        (S::Registered, A::Accept) => S::Accepted,
        (S::Registered | S::Accepted, A::ReturnToSource) => S::Returned,
        (S::Registered | S::Accepted, A::TransferOut) => S::Transferred,
        (S::Registered | S::Accepted, A::Dispatch) => S::Dispatched,
        (S::Dispatched, A::Reassign) => S::Dispatched,
        (S::Dispatched, A::Sign) => S::Signed,
        (S::Dispatched | S::Signed, A::SendBack) => S::Accepted,
        (S::Signed, A::Verify) => S::Verified,
        (S::Verified, A::Dispose) => S::Disposed,
        (S::Disposed, A::Reply) => S::Replied,
        (S::Replied, A::Close) => S::Closed,
        (S::Registered | S::Accepted, A::Link) => S::Linked,
        (S::Linked, A::Unlink) => S::Registered,
        // A linked clue follows its primary: when the primary is disposed it waits for its own reply.
        (S::Linked, A::Dispose) => S::Disposed,
        (s, A::Reclassify | A::Relocate | A::Attach | A::Note) if s.is_open() => s,
        (s, a) => {
            return Err(format!("线索当前为“{}”，不能{}", s.label(), a.label()));
        }
    };
    Ok(to)
}

/// Roles that may take an action (the scope rule — which clues — is applied on top).
pub fn roles_for(action: ClueAction) -> &'static [Role] {
    use ClueAction as A;
    use Role::*;
    match action {
        A::Register => &[
            BureauLeader,
            Inspector,
            Dispatcher,
            TeamLeader,
            Officer,
            PropertyStaff,
            GridWorker,
            DepartmentLiaison,
            Admin,
        ],
        A::Accept | A::ReturnToSource | A::TransferOut | A::Dispatch | A::Reassign | A::Close => &[Dispatcher],
        A::Link | A::Unlink | A::Reclassify | A::Relocate => &[Dispatcher],
        A::Sign | A::SendBack | A::Verify => &[TeamLeader, Officer],
        A::Dispose => &[TeamLeader, Officer],
        A::Reply => &[Dispatcher, TeamLeader, Officer],
        A::Attach | A::Note => &[Dispatcher, TeamLeader, Officer, PropertyStaff, GridWorker],
    }
}

/// Whether an action needs a written reason (退单、改派、退回、移送、不予立案 always carry one).
pub fn needs_reason(action: ClueAction) -> bool {
    matches!(
        action,
        ClueAction::ReturnToSource
            | ClueAction::TransferOut
            | ClueAction::Reassign
            | ClueAction::SendBack
            | ClueAction::Unlink
    )
}

/// Checks a disposal against the verification (Chinese reason when refused).
pub fn check_disposal(verification: Option<Verification>, disposal: Disposal, reason: &str) -> Result<(), String> {
    if verification == Some(Verification::Unfounded) && disposal != Disposal::NoCase {
        return Err("核查不属实的线索只能不予立案".into());
    }
    if verification.is_none() {
        return Err("须先完成现场核查".into());
    }
    if matches!(disposal, Disposal::NoCase | Disposal::TransferDisposal) && reason.trim().is_empty() {
        return Err(format!("{}须写明理由", disposal.label()));
    }
    Ok(())
}

/// When a clock of a clue is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetAt {
    /// At on-site verification (核查).
    Verify,
    /// At the reply to the reporter or source (回复).
    Reply,
    /// At transfer to the competent department (移送).
    Transfer,
    /// Immediately, at the given report instant (the property company's 24-hour report duty).
    Received,
}

/// A clock to start on a new clue: the rule, what anchors it, and when it is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClueClock {
    pub rule: &'static str,
    /// True: anchored at the discovery instant the reporter gave; false: at receipt.
    pub from_discovery: bool,
    pub met_at: MetAt,
}

/// Facts about a new clue that decide its clocks.
#[derive(Debug, Clone, Copy)]
pub struct ClueFacts<'a> {
    pub channel: Channel,
    pub work_order_type: Option<WorkOrderType>,
    pub matter: Option<&'a str>,
    /// Someone (a citizen, a company, a grid worker) awaits feedback.
    pub has_reporter: bool,
    /// 违建 being built right now (2-hour visit).
    pub under_construction: bool,
    /// The reporter gave when it was discovered (property companies must report within 24 h).
    pub has_discovery_time: bool,
    /// The classifier found it outside 城管's remit (transfer within 3 working days).
    pub out_of_remit: bool,
}

/// The legal clocks that run on a clue (facts.md §3; rules in data/clock-rules.toml).
pub fn clocks_for(f: &ClueFacts<'_>) -> Vec<ClueClock> {
    let mut v = Vec::new();
    let reply = |rule| ClueClock {
        rule,
        from_discovery: false,
        met_at: MetAt::Reply,
    };
    if f.channel == Channel::Hotline12345 {
        v.push(reply(
            f.work_order_type.unwrap_or(WorkOrderType::Complaint).clock_rule(),
        ));
    }
    if f.out_of_remit {
        v.push(ClueClock {
            rule: "report_transfer_3wd",
            from_discovery: false,
            met_at: MetAt::Transfer,
        });
    } else if f.has_reporter && !matches!(f.channel, Channel::Patrol | Channel::Campaign) {
        // 城管条例 第二十六条: tell the reporter the result within 5 working days.
        v.push(reply("report_feedback_5wd"));
    }
    if f.matter == Some("illegal_construction") {
        let rule = if f.under_construction {
            "illegal_building_visit_2h"
        } else {
            "illegal_building_visit_24h"
        };
        v.push(ClueClock {
            rule,
            from_discovery: false,
            met_at: MetAt::Verify,
        });
        if f.has_reporter {
            v.push(reply("illegal_building_feedback_1m"));
        }
    }
    if f.channel == Channel::PropertyReport && f.has_discovery_time {
        v.push(ClueClock {
            rule: "property_report_24h",
            from_discovery: true,
            met_at: MetAt::Received,
        });
    }
    v
}

/// Clue number: `XS` + year + 6-digit sequence, e.g. XS2026000123.
pub fn clue_no(year: i16, seq: i64) -> String {
    format!("XS{year}{seq:06}")
}

/// A reporter's phone number as people write it: 5–20 digits, `-` or `+`.
pub fn valid_phone(p: &str) -> bool {
    (5..=20).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '+')
}

/// Reporter phone numbers are shown only to roles that must call back.
pub fn sees_reporter_contact(roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| matches!(r, Role::Dispatcher | Role::TeamLeader | Role::Officer | Role::Admin))
}

/// Masks a phone number for everyone else: 138****5678.
pub fn mask_phone(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() < 7 {
        return "****".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

pub fn code_tables() -> Vec<CodeTable> {
    vec![
        CodeTable::of::<Channel>(),
        CodeTable::of::<WorkOrderType>(),
        CodeTable::of::<ClueStatus>(),
        CodeTable::of::<ClueAction>(),
        CodeTable::of::<Verification>(),
        CodeTable::of::<Disposal>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClueAction as A;
    use ClueStatus as S;

    #[test]
    fn the_whole_way_from_registration_to_closing() {
        let mut s = S::Registered;
        for a in [
            A::Accept,
            A::Dispatch,
            A::Sign,
            A::Verify,
            A::Dispose,
            A::Reply,
            A::Close,
        ] {
            s = next_status(s, a).unwrap();
        }
        assert_eq!(s, S::Closed);
        assert!(!s.is_open());
    }

    #[test]
    fn illegal_steps_are_refused_with_the_current_status() {
        let e = next_status(S::Registered, A::Verify).unwrap_err();
        assert_eq!(e, "线索当前为“待受理”，不能核查");
        assert!(next_status(S::Closed, A::Reclassify).is_err());
        assert!(
            next_status(S::Verified, A::SendBack).is_err(),
            "after verification the team disposes"
        );
    }

    #[test]
    fn send_back_returns_to_the_dispatch_queue() {
        assert_eq!(next_status(S::Dispatched, A::SendBack).unwrap(), S::Accepted);
        assert_eq!(next_status(S::Signed, A::SendBack).unwrap(), S::Accepted);
        assert!(needs_reason(A::SendBack) && needs_reason(A::Reassign) && !needs_reason(A::Sign));
    }

    #[test]
    fn unfounded_clues_can_only_be_closed_without_a_case() {
        assert!(check_disposal(Some(Verification::Unfounded), Disposal::FileCase, "").is_err());
        assert!(
            check_disposal(Some(Verification::Unfounded), Disposal::NoCase, "").is_err(),
            "reason needed"
        );
        assert!(check_disposal(Some(Verification::Unfounded), Disposal::NoCase, "现场无违法行为").is_ok());
        assert!(check_disposal(None, Disposal::FileCase, "").is_err());
        assert!(check_disposal(Some(Verification::Confirmed), Disposal::FileCase, "").is_ok());
    }

    #[test]
    fn clocks_follow_channel_type_and_matter() {
        let base = ClueFacts {
            channel: Channel::Hotline12345,
            work_order_type: Some(WorkOrderType::Complex),
            matter: Some("catering_fumes"),
            has_reporter: true,
            under_construction: false,
            has_discovery_time: false,
            out_of_remit: false,
        };
        let rules: Vec<&str> = clocks_for(&base).iter().map(|c| c.rule).collect();
        assert_eq!(rules, vec!["hotline_complex_15wd", "report_feedback_5wd"]);
        let ib = ClueFacts {
            matter: Some("illegal_construction"),
            under_construction: true,
            channel: Channel::PublicReport,
            work_order_type: None,
            ..base
        };
        let rules: Vec<&str> = clocks_for(&ib).iter().map(|c| c.rule).collect();
        assert_eq!(
            rules,
            vec![
                "report_feedback_5wd",
                "illegal_building_visit_2h",
                "illegal_building_feedback_1m"
            ]
        );
        let patrol = ClueFacts {
            channel: Channel::Patrol,
            has_reporter: false,
            work_order_type: None,
            ..base
        };
        assert!(clocks_for(&patrol).is_empty());
        let pc = ClueFacts {
            channel: Channel::PropertyReport,
            has_discovery_time: true,
            work_order_type: None,
            ..base
        };
        assert!(
            clocks_for(&pc)
                .iter()
                .any(|c| c.rule == "property_report_24h" && c.from_discovery)
        );
        let out = ClueFacts {
            out_of_remit: true,
            ..base
        };
        assert!(
            clocks_for(&out)
                .iter()
                .any(|c| c.rule == "report_transfer_3wd" && c.met_at == MetAt::Transfer)
        );
    }

    #[test]
    fn work_order_types_read_from_12345_words() {
        assert_eq!(WorkOrderType::from_text("投诉"), Some(WorkOrderType::Complaint));
        assert_eq!(WorkOrderType::from_text("意见建议"), Some(WorkOrderType::Consult));
        assert_eq!(WorkOrderType::from_text("热线督办"), Some(WorkOrderType::Supervise));
        assert_eq!(WorkOrderType::from_text("复杂事项"), Some(WorkOrderType::Complex));
        assert_eq!(WorkOrderType::from_text("表扬"), None);
    }

    #[test]
    fn phones_are_masked_and_numbers_formatted() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("12"), "****");
        assert_eq!(clue_no(2026, 123), "XS2026000123");
        assert!(sees_reporter_contact(&[Role::Officer]));
        assert!(!sees_reporter_contact(&[Role::Inspector, Role::PropertyStaff]));
    }
}
