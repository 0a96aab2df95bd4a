//! 线索受理与派单: registering clues from every channel (classify, locate, de-duplicate, start the
//! clocks), and every step of their handling, each checked against the state machine
//! (`jingzhi_domain::clue`), the role rule and the actor's data scope, and recorded on the clue's
//! timeline and in the audit trail in the same transaction.

use crate::App;
use crate::actor::Actor;
use crate::audit::record;
use crate::clocks::{self as ck, NewClock, Subject};
use crate::error::{AppError, AppResult, Check, ErrorCode};
use crate::intake::IntakeData;
use jiff::Timestamp;
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::classify::Hints;
use jingzhi_domain::clue::{
    Channel, Clue, ClueAction, ClueFacts, ClueStatus, Disposal, MetAt, Verification, WorkOrderType, check_disposal,
    clocks_for, clue_no, needs_reason, next_status, roles_for,
};
use jingzhi_domain::dedup::{DedupConfig, Report, find_repeat};
use jingzhi_domain::geo::{Gcj02, LocateMethod, Located, Wgs84};
use jingzhi_domain::org::{OrgKind, Scope};
use jingzhi_domain::search::{SearchQuery, index_tokens};
use jingzhi_domain::time::{civil_date, format_ts};
use jingzhi_store::Conn;
use jingzhi_store::repo::clues::{self as repo, ClueFilter};
use jingzhi_store::repo::{clocks as clock_repo, places};
use serde::Serialize;

/// Coordinates as given: WGS84 (GPS) or GCJ-02 (Chinese map apps), converted on entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Point {
    Wgs84(f64, f64),
    Gcj02(f64, f64),
}

/// A new clue as the channel delivers it.
#[derive(Debug, Clone)]
pub struct NewClue {
    pub channel: Channel,
    pub source_ref: Option<String>,
    pub work_order_type: Option<WorkOrderType>,
    pub description: String,
    pub address: String,
    pub point: Option<Point>,
    pub compound_id: Option<i64>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub anonymous: bool,
    pub discovered_at: Option<Timestamp>,
    pub under_construction: bool,
    /// When the source received it (12345 gives its own); default now.
    pub received_at: Option<Timestamp>,
    /// A matter chosen at intake (a dispatcher or an officer); otherwise suggested.
    pub matter_code: Option<String>,
}

impl NewClue {
    pub fn new(channel: Channel, description: impl Into<String>, address: impl Into<String>) -> NewClue {
        NewClue {
            channel,
            source_ref: None,
            work_order_type: None,
            description: description.into(),
            address: address.into(),
            point: None,
            compound_id: None,
            reporter_name: None,
            reporter_phone: None,
            anonymous: false,
            discovered_at: None,
            under_construction: false,
            received_at: None,
            matter_code: None,
        }
    }
}

/// The file types a clue accepts: photos, PDF documents, video and audio recordings.
pub const ATTACHMENT_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "application/pdf",
    "video/mp4",
    "audio/mpeg",
    "audio/mp4",
];

/// A clue checked and classified, ready to store.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) n: NewClue,
    channel: Channel,
    reporter_org_id: Option<i64>,
    matter_code: String,
    classification: String,
    suggested_department: Option<String>,
    confirmed: bool,
    point: Option<Wgs84>,
    received_at: Timestamp,
    /// The classifier's confidence (1 for a given matter).
    confidence: f64,
    /// The classifier's probabilities (suggestion and alternatives) for the duplicate check.
    matter_probs: Vec<(String, f64)>,
    /// Where a clue without a chosen compound is (its address, jurisdiction and address key):
    /// pure work, done here so that an import does it beside the writer rather than in it.
    located: Option<(String, Located, Option<String>)>,
}

/// Jurisdiction of a point and an address (with the chosen compound's name, if any), and the
/// address's place key for the duplicate look: pure, so an import does it beside the writer.
fn locate_address(
    data: &IntakeData,
    point: Option<Wgs84>,
    address: &str,
    compound_name: &str,
) -> (Located, Option<String>) {
    (
        data.jurisdiction.locate(point, &format!("{address} {compound_name}")),
        data.jurisdiction.rules().place_key(address),
    )
}

/// Where a prepared clue is and which open clues it may repeat: everything registering reads
/// before it writes. `App::register_clue` finds it on a reader connection, outside the single
/// writer (which then only looks at clues stored since, `max_seen_id`); an import finds it inside
/// its transaction.
pub(crate) struct Placed {
    address: String,
    point: Option<Wgs84>,
    street_code: Option<String>,
    locate_method: LocateMethod,
    locate_reason: String,
    grid_code: Option<String>,
    compound_id: Option<i64>,
    place_key: Option<String>,
    since: Timestamp,
    bbox: Option<[f64; 4]>,
    /// The newest open clues at the place, with their reports for the duplicate check.
    candidates: Vec<(repo::DedupCandidate, Report)>,
    /// The best repeat among `candidates` (an index), if any.
    best: Option<usize>,
    /// The highest clue id when the candidates were read outside the write transaction (`None`:
    /// read inside it, nothing can have come since).
    max_seen_id: Option<i64>,
    /// The street team an automatic dispatch would go to.
    team: Option<jingzhi_domain::org::OrgUnit>,
}

impl Placed {
    /// Whether the duplicate look found an open clue that this one repeats.
    pub(crate) fn repeats(&self) -> bool {
        self.best.is_some()
    }

    /// Replaces the provisional ids of an import's own earlier rows (`ImportedSoFar`) among the
    /// candidates by the ids the writer gave them: `ids[n]` is the id of the import's row `n`.
    pub(crate) fn resolve_provisional(&mut self, ids: &[i64]) -> AppResult<()> {
        for (k, _) in &mut self.candidates {
            if k.id >= PROVISIONAL_ID {
                k.id = *ids
                    .get((k.id - PROVISIONAL_ID) as usize)
                    .ok_or_else(|| AppError::new(ErrorCode::Internal))?;
            }
        }
        Ok(())
    }
}

/// How many open clues at a place the duplicate look reads, newest first.
const DEDUP_CANDIDATES: i64 = 50;

/// Where `place_clue` runs, which decides how it sees the clues stored just before.
#[derive(Clone, Copy)]
pub(crate) enum PlaceMode<'a> {
    /// On a reader before the write: the writer then also looks at the clues stored since.
    Reader,
    /// On a reader beside an import's writer: the clues committed before the import come from
    /// the database, the import's own earlier rows (not committed, so no reader sees them) from
    /// memory. On SQLite nothing else is written while the import holds the writer, so this sees
    /// what the writer would see; on PostgreSQL a clue committed by another server between the
    /// read and the import's write is not looked at (as with two imports at once).
    Import(&'a ImportedSoFar),
}

/// How far back the duplicate look goes from a clue's receipt.
fn dedup_window(cfg: &DedupConfig) -> jiff::SignedDuration {
    jiff::SignedDuration::from_secs((cfg.window_hours * 3600.0) as i64)
}

/// Provisional ids of an import's own rows in the duplicate look: above any real id, in the
/// import's order, so candidates sort as they would once stored. `Placed::resolve_provisional`
/// turns them into real ids in the writer.
const PROVISIONAL_ID: i64 = 1 << 52;

/// The clues an import has registered as new problems (not repeats) so far, for the duplicate
/// look of its later rows: by place key and by a grid of cells as wide as the look's radius.
/// Rows come in received order, so a row older than the look's window before the newest can be
/// no later row's candidate: it is dropped (a file spanning months keeps about a window's rows).
pub(crate) struct ImportedSoFar {
    /// The kept rows; `rows[0]` is the `first`-th row added.
    rows: std::collections::VecDeque<(repo::DedupCandidate, Report)>,
    first: usize,
    /// Rows by place key and by cell, as positions in the order added (ascending); positions
    /// before `first` are dropped rows, swept out once they are as many as the kept ones.
    by_key: std::collections::HashMap<String, Vec<usize>>,
    by_cell: std::collections::HashMap<(i64, i64), Vec<usize>>,
    dropped_since_sweep: usize,
    /// Cell size in degrees (both axes).
    cell: f64,
    window: jiff::SignedDuration,
}

impl ImportedSoFar {
    pub(crate) fn new(cfg: &DedupConfig) -> ImportedSoFar {
        ImportedSoFar {
            rows: Default::default(),
            first: 0,
            by_key: Default::default(),
            by_cell: Default::default(),
            dropped_since_sweep: 0,
            cell: (cfg.radius_m / 111_320.0).max(1e-5),
            window: dedup_window(cfg),
        }
    }

    fn cell_of(&self, lng: f64, lat: f64) -> (i64, i64) {
        ((lng / self.cell).floor() as i64, (lat / self.cell).floor() as i64)
    }

    /// The row at a position, unless it has been dropped.
    fn row(&self, at: usize) -> Option<&(repo::DedupCandidate, Report)> {
        at.checked_sub(self.first).and_then(|i| self.rows.get(i))
    }

    /// How many rows are kept (for tests of the dropping).
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.rows.len()
    }

    /// Records row `ordinal` of the import (rows are added in the order the writer stores them,
    /// which is the order of `received_at`) as a new open clue.
    pub(crate) fn add(&mut self, ordinal: usize, p: &Prepared, placed: &Placed) {
        // The report is what the look compares (the text as stored, trimmed).
        self.add_report(
            ordinal,
            Report {
                text: p.n.description.trim().to_string(),
                ..self_report(p, placed.point, placed.place_key.clone())
            },
        );
    }

    /// [`ImportedSoFar::add`] of a report; drops the rows it leaves outside the window of every
    /// later row.
    fn add_report(&mut self, ordinal: usize, r: Report) {
        // Of the candidate, the merge needs only the id, the time and the point.
        let k = repo::DedupCandidate {
            id: PROVISIONAL_ID + ordinal as i64,
            matter_code: String::new(),
            description: String::new(),
            lng: r.point.map(|pt| pt.lng),
            lat: r.point.map(|pt| pt.lat),
            place_key: None,
            received_at: r.received_at,
            classification: String::new(),
        };
        let at = self.first + self.rows.len();
        if let Some(key) = &r.place_key {
            self.by_key.entry(key.clone()).or_default().push(at);
        }
        if let (Some(lng), Some(lat)) = (k.lng, k.lat) {
            let cell = self.cell_of(lng, lat);
            self.by_cell.entry(cell).or_default().push(at);
        }
        let oldest_wanted = r.received_at - self.window;
        self.rows.push_back((k, r));
        // A later row's look goes back to its own time less the window, never before this one's.
        while self.rows.front().is_some_and(|(k, _)| k.received_at < oldest_wanted) {
            self.rows.pop_front();
            self.first += 1;
            self.dropped_since_sweep += 1;
        }
        if self.dropped_since_sweep > self.rows.len().max(64) {
            let first = self.first;
            let sweep = |lists: &mut dyn Iterator<Item = &mut Vec<usize>>| {
                for list in lists {
                    let gone = list.partition_point(|&i| i < first);
                    list.drain(..gone);
                }
            };
            sweep(&mut self.by_key.values_mut());
            sweep(&mut self.by_cell.values_mut());
            self.by_key.retain(|_, l| !l.is_empty());
            self.by_cell.retain(|_, l| !l.is_empty());
            self.dropped_since_sweep = 0;
        }
    }

    /// The newest `DEDUP_CANDIDATES` of the database's candidates and this import's own rows at
    /// the place: the same list the look inside the writer's transaction would read (the newest
    /// of a union only needs the newest of each part).
    fn merge(
        &self,
        mut from_db: Vec<(repo::DedupCandidate, Report)>,
        place_key: Option<&str>,
        bbox: Option<[f64; 4]>,
        since: Timestamp,
    ) -> Vec<(repo::DedupCandidate, Report)> {
        let mut mine: std::collections::BTreeSet<usize> = Default::default();
        let recent = |list: &Vec<usize>| -> Vec<usize> {
            // Each list is in received order: walk back while the rows are kept and in the window.
            list.iter()
                .rev()
                .take_while(|&&i| self.row(i).is_some_and(|(k, _)| k.received_at >= since))
                .copied()
                .collect()
        };
        if let Some(list) = place_key.and_then(|key| self.by_key.get(key)) {
            mine.extend(recent(list));
        }
        if let Some([min_lng, max_lng, min_lat, max_lat]) = bbox {
            let (x0, y0) = self.cell_of(min_lng, min_lat);
            let (x1, y1) = self.cell_of(max_lng, max_lat);
            for x in x0..=x1 {
                for y in y0..=y1 {
                    let Some(list) = self.by_cell.get(&(x, y)) else {
                        continue;
                    };
                    mine.extend(recent(list).into_iter().filter(|&i| {
                        self.row(i).is_some_and(|(k, _)| {
                            matches!((k.lng, k.lat), (Some(lng), Some(lat))
                                if (min_lng..=max_lng).contains(&lng) && (min_lat..=max_lat).contains(&lat))
                        })
                    }));
                }
            }
        }
        if mine.is_empty() {
            return from_db;
        }
        from_db.extend(mine.into_iter().filter_map(|i| self.row(i).cloned()));
        from_db.sort_by_key(|(k, _)| std::cmp::Reverse((k.received_at, k.id)));
        from_db.truncate(DEDUP_CANDIDATES as usize);
        from_db
    }
}

/// What registering did.
#[derive(Debug, Clone)]
pub struct Registered {
    pub clue: Clue,
    /// False when the same source reference was registered before (re-submission or re-import):
    /// nothing was changed and the existing clue is returned.
    pub created: bool,
    /// The open clue this one repeats, with the reasons.
    pub repeat_of: Option<(i64, Vec<String>)>,
    /// Dispatched automatically to the street team.
    pub auto_dispatched: bool,
}

/// The parameters of a step.
#[derive(Debug, Clone, Default)]
pub struct Step {
    pub reason: String,
    /// Dispatch/reassign target (street team) or transfer target (department).
    pub org_id: Option<i64>,
    pub verification: Option<Verification>,
    pub disposal: Option<Disposal>,
    pub recheck_date: Option<jiff::civil::Date>,
    /// Reply text, verification note, disposal note.
    pub text: String,
    pub matter_code: Option<String>,
    pub street_code: Option<String>,
    /// Link target.
    pub primary_id: Option<i64>,
}

/// One entry of the timeline.
pub type Event = repo::ClueEvent;

/// A clue as its page shows it.
#[derive(Debug, Clone)]
pub struct ClueView {
    pub clue: Clue,
    pub clocks: Vec<ck::ClockView>,
    pub events: Vec<Event>,
    pub attachments: Vec<repo::Attachment>,
    pub linked: Vec<Clue>,
    pub primary: Option<Clue>,
    pub compound_name: Option<String>,
    pub assigned_org_name: Option<String>,
    pub transferred_to_name: Option<String>,
    pub reporter_org_name: Option<String>,
    /// Steps the viewer may take now.
    pub allowed: Vec<ClueAction>,
    /// The viewer may see the reporter's phone.
    pub show_contact: bool,
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Queue {
    /// 待受理
    ToAccept,
    /// 待派单
    ToDispatch,
    /// 待签收
    ToSign,
    /// 待核查
    ToVerify,
    /// 待处置
    ToDispose,
    /// 待回复
    ToReply,
    /// 待办结
    ToClose,
    /// 即将超期
    DueSoon,
    /// 已超期
    Overdue,
    /// 重复投诉
    Repeated,
    /// 我的上报 (partners)
    Mine,
    /// 移送本部门 (departments)
    Transferred,
    /// 全部
    All,
}

impl Queue {
    pub const ALL: &'static [Queue] = &[
        Queue::ToAccept,
        Queue::ToDispatch,
        Queue::ToSign,
        Queue::ToVerify,
        Queue::ToDispose,
        Queue::ToReply,
        Queue::ToClose,
        Queue::DueSoon,
        Queue::Overdue,
        Queue::Repeated,
        Queue::Mine,
        Queue::Transferred,
        Queue::All,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Queue::ToAccept => "to_accept",
            Queue::ToDispatch => "to_dispatch",
            Queue::ToSign => "to_sign",
            Queue::ToVerify => "to_verify",
            Queue::ToDispose => "to_dispose",
            Queue::ToReply => "to_reply",
            Queue::ToClose => "to_close",
            Queue::DueSoon => "due_soon",
            Queue::Overdue => "overdue",
            Queue::Repeated => "repeated",
            Queue::Mine => "mine",
            Queue::Transferred => "transferred",
            Queue::All => "all",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Queue::ToAccept => "待受理",
            Queue::ToDispatch => "待派单",
            Queue::ToSign => "待签收",
            Queue::ToVerify => "待核查",
            Queue::ToDispose => "待处置",
            Queue::ToReply => "待回复",
            Queue::ToClose => "待办结",
            Queue::DueSoon => "即将超期",
            Queue::Overdue => "已超期",
            Queue::Repeated => "重复投诉",
            Queue::Mine => "我的上报",
            Queue::Transferred => "移送本部门",
            Queue::All => "全部线索",
        }
    }
    pub fn from_code(s: &str) -> Option<Queue> {
        Queue::ALL.iter().copied().find(|q| q.code() == s)
    }
}

/// A list request.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub queue: Queue,
    pub q: String,
    pub channel: Option<Channel>,
    pub matter_code: Option<String>,
    pub street_code: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl Default for ListRequest {
    fn default() -> Self {
        ListRequest {
            queue: Queue::All,
            q: String::new(),
            channel: None,
            matter_code: None,
            street_code: None,
            limit: 50,
            offset: 0,
        }
    }
}

/// A page of a list, with the total.
#[derive(Debug, Clone)]
pub struct ClueList {
    pub rows: Vec<Clue>,
    /// Matches, counted up to [`LIST_COUNT_CAP`].
    pub total: i64,
    /// More than [`LIST_COUNT_CAP`] match.
    pub total_capped: bool,
    /// Open clocks per clue shown: (clue id, worst state, due instant of the soonest).
    pub clock_states: Vec<(i64, String, Timestamp)>,
}

/// Lists count their matches up to this many (and then say "more than"); a search up to
/// `jingzhi_store::repo::clues::SEARCH_COUNT_CAP`.
pub const LIST_COUNT_CAP: i64 = 10_000;

/// How long queue tab counts are kept per viewer.
pub const COUNT_TTL_SECS: i64 = 10;

/// Queue tab counts per viewer (see [`App::clue_queue_counts`]). `generation` moves on every clue
/// change made through this app server.
#[derive(Default)]
pub struct QueueCountCache {
    generation: std::sync::atomic::AtomicU64,
    refreshing: std::sync::Mutex<()>,
    #[allow(clippy::type_complexity)]
    entries: std::sync::Mutex<std::collections::HashMap<String, (u64, Timestamp, Vec<(Queue, i64)>)>>,
    /// Totals of filtered lists and searches, by filter.
    totals: crate::kept::TotalCache,
}

impl QueueCountCache {
    /// Forgets every count and total (after a clue changed).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
        self.totals.clear();
    }
}

/// The classifier's probabilities (suggestion and alternatives) kept with a clue.
fn matter_probs(classification_json: &str) -> Vec<(String, f64)> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(classification_json) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let (Some(code), Some(p)) = (
        v.pointer("/matter/code").and_then(|x| x.as_str()),
        v.get("confidence").and_then(|x| x.as_f64()),
    ) {
        out.push((code.to_string(), p));
    }
    for a in v.get("alternatives").and_then(|x| x.as_array()).into_iter().flatten() {
        if let (Some(code), Some(p)) = (
            a.get("code").and_then(|x| x.as_str()),
            a.get("confidence").and_then(|x| x.as_f64()),
        ) {
            out.push((code.to_string(), p));
        }
    }
    out
}

/// A stored clue as the duplicate check sees it.
fn report_of(k: &repo::DedupCandidate) -> Report {
    Report {
        matter: k.matter_code.clone(),
        text: k.description.clone(),
        point: match (k.lng, k.lat) {
            (Some(x), Some(y)) => Some(Wgs84::new(x, y)),
            _ => None,
        },
        place_key: k.place_key.clone(),
        received_at: k.received_at,
        matter_probs: matter_probs(&k.classification),
    }
}

/// The new clue as the duplicate check sees it.
fn self_report(p: &Prepared, point: Option<Wgs84>, place_key: Option<String>) -> Report {
    Report {
        matter: p.matter_code.clone(),
        text: p.n.description.clone(),
        point,
        place_key,
        received_at: p.received_at,
        matter_probs: p.matter_probs.clone(),
    }
}

fn is_partner(a: &Actor) -> bool {
    matches!(
        a.org.kind,
        OrgKind::PropertyCompany | OrgKind::Community | OrgKind::Grid | OrgKind::Department
    )
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|x| x.trim().to_string()).filter(|x| !x.is_empty())
}

/// The scope part of a list filter: what the actor may see.
fn scope_filter(a: &Actor, f: &mut ClueFilter) {
    match &a.scope {
        Scope::District => {}
        Scope::Street(s) => f.street_code = Some(s.to_string()),
        Scope::Company(id) => f.reporter_org_id = Some(*id),
        Scope::Department(id) => f.transferred_to = Some(*id),
        Scope::Grid { org_id, .. } => f.reporter_org_id = Some(*org_id),
    }
}

fn event(
    c: &mut dyn Conn,
    a: &Actor,
    k: &Clue,
    action: ClueAction,
    from: Option<ClueStatus>,
    note: &str,
    now: Timestamp,
) -> AppResult<()> {
    event_to(c, a, k, action, from, k.status, note, now)
}

/// A timeline event whose status after the step is not (or not yet) the clue's status: the
/// registration of a clue stored already dispatched.
#[allow(clippy::too_many_arguments)]
fn event_to(
    c: &mut dyn Conn,
    a: &Actor,
    k: &Clue,
    action: ClueAction,
    from: Option<ClueStatus>,
    to: ClueStatus,
    note: &str,
    now: Timestamp,
) -> AppResult<()> {
    repo::insert_event(
        c,
        &repo::ClueEvent {
            id: 0,
            clue_id: k.id,
            at: now,
            actor_user_id: a.user_id,
            actor_name: if a.display_name.is_empty() {
                a.name.clone()
            } else {
                a.display_name.clone()
            },
            actor_org_id: Some(a.org.id).filter(|id| *id > 0),
            action: action.code().into(),
            from_status: from.map(|s| s.code().to_string()),
            to_status: Some(to.code().to_string()),
            note: note.to_string(),
            data: None,
        },
    )?;
    Ok(())
}

#[derive(Serialize)]
struct ClueAudit<'a> {
    no: &'a str,
    status: &'a str,
    matter: &'a str,
    street: Option<&'a str>,
    assigned_org_id: Option<i64>,
    transferred_to_org_id: Option<i64>,
    duplicate_of: Option<i64>,
    verification: Option<&'a str>,
    disposal: Option<&'a str>,
    reply: Option<&'a str>,
}

fn audit_view(k: &Clue) -> ClueAudit<'_> {
    ClueAudit {
        no: &k.no,
        status: k.status.code(),
        matter: &k.matter_code,
        street: k.street_code.as_deref(),
        assigned_org_id: k.assigned_org_id,
        transferred_to_org_id: k.transferred_to_org_id,
        duplicate_of: k.duplicate_of,
        verification: k.verification.map(|v| v.code()),
        disposal: k.disposal.map(|d| d.code()),
        reply: k.reply.as_deref(),
    }
}

/// Meets the open clocks of a clue that end at a given step.
fn meet_clocks(
    c: &mut dyn Conn,
    data: &ck::ClockData,
    a: &Actor,
    clue_id: i64,
    at: MetAt,
    now: Timestamp,
    facts: &[(String, MetAt)],
) -> AppResult<()> {
    for row in clock_repo::clocks_of(c, "clue", clue_id)? {
        if row.met_at.is_some() {
            continue;
        }
        if facts.iter().any(|(rule, m)| *rule == row.rule_code && *m == at) {
            ck::meet_clock(c, data, a, row.id, now, now)?;
        }
    }
    Ok(())
}

fn met_rules(k: &Clue, data: &IntakeData) -> Vec<(String, MetAt)> {
    clocks_for(&facts_of(k, data))
        .into_iter()
        .map(|x| (x.rule.to_string(), x.met_at))
        .collect()
}

fn facts_of<'a>(k: &'a Clue, data: &IntakeData) -> ClueFacts<'a> {
    let out_of_remit =
        k.suggested_department.is_some() && data.catalogue.get(&k.matter_code).is_some_and(|m| m.is_other());
    ClueFacts {
        channel: k.channel,
        work_order_type: k.work_order_type,
        matter: Some(&k.matter_code),
        has_reporter: k.reporter_org_id.is_some()
            || (!k.anonymous && (k.reporter_phone.is_some() || k.reporter_name.is_some()))
            || k.channel == Channel::Hotline12345,
        under_construction: k.under_construction,
        has_discovery_time: k.discovered_at.is_some(),
        out_of_remit,
    }
}

impl App {
    fn check_new(&self, actor: &Actor, n: &NewClue) -> AppResult<()> {
        let mut ck = Check::new();
        let d = n.description.trim();
        if d.is_empty() {
            ck.fail("description", "请填写问题描述");
        } else if d.chars().count() > 4000 {
            ck.fail("description", "问题描述不能超过4000字");
        }
        if n.address.trim().is_empty() && n.point.is_none() && n.compound_id.is_none() {
            ck.fail("address", "请填写地址，或选择小区、提供坐标");
        }
        if let Some(p) = non_empty(&n.reporter_phone)
            && !jingzhi_domain::clue::valid_phone(&p)
        {
            ck.fail("reporter_phone", "联系电话格式不正确");
        }
        if let Some(Point::Wgs84(lng, lat) | Point::Gcj02(lng, lat)) = n.point
            && !Wgs84::new(lng, lat).is_valid()
        {
            ck.fail("point", "坐标无效");
        }
        if let Some(s) = &n.source_ref
            && s.chars().count() > 64
        {
            ck.fail("source_ref", "来源编号过长");
        }
        if n.channel == Channel::PropertyReport && actor.org.kind == OrgKind::PropertyCompany && n.compound_id.is_none()
        {
            ck.fail("compound_id", "物业报告须选择本企业管理的小区");
        }
        ck.finish()
    }

    /// Registers a clue from any channel: classify, locate, de-duplicate, number, start the clocks,
    /// and, where the rules allow, accept and dispatch it at once.
    pub fn register_clue(&self, actor: &Actor, n: &NewClue) -> AppResult<Registered> {
        let data = self.intake_data()?;
        let clocks = self.clock_data()?;
        let now = self.now();
        let prepared = self.prepare_clue(actor, n, &data, now)?;
        // Read where it is and what it may repeat on a reader, then write on the one writer.
        let placed = self
            .store
            .read(|c| self.place_clue(c, actor, &prepared, &data, PlaceMode::Reader))?;
        let r = self
            .store
            .write(|c| self.register_placed(c, actor, &prepared, placed, &data, &clocks, now))?;
        self.queue_counts.invalidate();
        Ok(r)
    }

    /// Checks and classifies a new clue (outside any transaction: this is the CPU part).
    pub(crate) fn prepare_clue(
        &self,
        actor: &Actor,
        n: &NewClue,
        data: &IntakeData,
        now: Timestamp,
    ) -> AppResult<Prepared> {
        actor.require(Resource::Clue, Action::Create)?;
        if !actor.roles.iter().any(|r| roles_for(ClueAction::Register).contains(r)) {
            return Err(AppError::with_message(ErrorCode::Forbidden, "无权登记线索"));
        }
        self.check_new(actor, n)?;
        let received_at = n.received_at.unwrap_or(now);
        // Partners report as their org unit; a property company only in its own compounds.
        let reporter_org_id = is_partner(actor).then_some(actor.org.id);
        let channel = match actor.org.kind {
            OrgKind::PropertyCompany => Channel::PropertyReport,
            OrgKind::Grid | OrgKind::Community => Channel::GridReport,
            _ => n.channel,
        };
        // Classify (or take the given matter).
        let (matter_code, classification, suggested_department, confirmed, confidence) = match non_empty(&n.matter_code)
        {
            Some(code) => {
                let m = data
                    .catalogue
                    .get(&code)
                    .ok_or_else(|| AppError::field("matter_code", format!("未知的执法事项：{code}")))?;
                (
                    m.code.clone(),
                    serde_json::json!({"given": m.code}).to_string(),
                    None,
                    true,
                    1.0,
                )
            }
            None => {
                let hints = Hints {
                    property_report: channel == Channel::PropertyReport,
                    in_compound: n.compound_id.map(|_| true),
                    likely_matters: Vec::new(),
                };
                let cl = data
                    .classifier
                    .classify_with(&format!("{} {}", n.description, n.address), &hints);
                let dept = cl
                    .out_of_remit
                    .as_ref()
                    .map(|o| o.suggested_department.code().to_string());
                (
                    cl.matter.code.clone(),
                    serde_json::to_string(&cl).unwrap_or_default(),
                    dept,
                    false,
                    cl.confidence,
                )
            }
        };
        let point = n.point.map(|p| match p {
            Point::Wgs84(x, y) => Wgs84::new(x, y),
            Point::Gcj02(x, y) => Gcj02::new(x, y).to_wgs84(),
        });
        let matter_probs = matter_probs(&classification);
        let located = n.compound_id.is_none().then(|| {
            let address = n.address.trim().to_string();
            let (located, key) = locate_address(data, point, &address, "");
            (address, located, key)
        });
        Ok(Prepared {
            located,
            matter_probs,
            confidence,
            n: n.clone(),
            channel,
            reporter_org_id,
            matter_code,
            classification,
            suggested_department,
            confirmed,
            point,
            received_at,
        })
    }

    /// The read part of registering: the place (a chosen compound, else the point and the
    /// address), the open clues there that it may repeat, and the team of an automatic dispatch.
    pub(crate) fn place_clue(
        &self,
        c: &mut dyn Conn,
        actor: &Actor,
        p: &Prepared,
        data: &IntakeData,
        mode: PlaceMode<'_>,
    ) -> AppResult<Placed> {
        let n = &p.n;
        let compound = match n.compound_id {
            Some(id) => Some(places::get_compound(c, id).map_err(|_| AppError::field("compound_id", "小区不存在"))?),
            None => None,
        };
        if actor.org.kind == OrgKind::PropertyCompany
            && let Some(cp) = &compound
            && cp.property_company_id != Some(actor.org.id)
        {
            return Err(AppError::field("compound_id", "只能上报本企业管理的小区"));
        }
        let point = p
            .point
            .or_else(|| compound.as_ref().and_then(|cp| Some(Wgs84::new(cp.lng?, cp.lat?))));
        let (address, located, address_key) = match (&compound, &p.located) {
            (None, Some((address, located, key))) => (address.clone(), located.clone(), key.clone()),
            _ => {
                let address = if n.address.trim().is_empty() {
                    compound.as_ref().map(|cp| cp.address.clone()).unwrap_or_default()
                } else {
                    n.address.trim().to_string()
                };
                let compound_name = compound.as_ref().map(|cp| cp.name.as_str()).unwrap_or("");
                let (located, key) = locate_address(data, point, &address, compound_name);
                (address, located, key)
            }
        };
        let (street_code, locate_method, locate_reason) = match (&compound, &located.street_code) {
            (Some(cp), _) if located.method != LocateMethod::Polygon => (
                Some(cp.street_code.to_string()),
                LocateMethod::CompoundName,
                format!(
                    "所选小区“{}”属{}",
                    cp.name,
                    data.jurisdiction.rules().street_name(cp.street_code.as_str())
                ),
            ),
            _ => (located.street_code.clone(), located.method, located.reason.clone()),
        };
        let compound_id = compound.as_ref().map(|cp| cp.id).or(match &located.compound_code {
            Some(code) => places::find_compound_by_code(c, code)?.map(|cp| cp.id),
            None => None,
        });
        // Duplicates: an open clue at the same place (same compound or address, or within the
        // radius) about the same problem, with a similar text.
        let since = p.received_at - dedup_window(&data.dedup);
        let place_key = match compound_id {
            Some(id) => Some(format!("compound-id:{id}")),
            None => address_key,
        };
        let bbox = point.map(|pt| {
            let dlat = data.dedup.radius_m / 111_320.0;
            let dlng = dlat / pt.lat.to_radians().cos().max(0.1);
            [pt.lng - dlng, pt.lng + dlng, pt.lat - dlat, pt.lat + dlat]
        });
        let max_seen_id = match mode {
            PlaceMode::Reader => Some(repo::max_id(c)?),
            PlaceMode::Import(_) => None,
        };
        let mut candidates: Vec<(repo::DedupCandidate, Report)> =
            repo::dedup_candidates(c, place_key.as_deref(), bbox, since, DEDUP_CANDIDATES)?
                .into_iter()
                .map(|k| {
                    let r = report_of(&k);
                    (k, r)
                })
                .collect();
        if let PlaceMode::Import(so_far) = mode {
            candidates = so_far.merge(candidates, place_key.as_deref(), bbox, since);
        }
        let me = self_report(p, point, place_key.clone());
        let reports: Vec<Report> = candidates.iter().map(|(_, r)| r.clone()).collect();
        let best = find_repeat(&me, &reports, &data.dedup).map(|r| r.index);
        let team = match &street_code {
            Some(street) if data.auto_dispatch_min_confidence.is_some() => {
                places::find_org_by_code(c, &crate::orgs::team_code(street))?
            }
            _ => None,
        };
        Ok(Placed {
            address,
            point,
            street_code,
            locate_method,
            locate_reason,
            grid_code: located.grid_code.clone(),
            compound_id,
            place_key,
            since,
            bbox,
            candidates,
            best,
            max_seen_id,
            team,
        })
    }

    /// The write part of registering, in the caller's transaction: the clue, its number, clocks,
    /// timeline, audit, the link to the clue it repeats (checked against clues stored since the
    /// place was read) and an automatic dispatch.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn register_placed(
        &self,
        c: &mut dyn Conn,
        actor: &Actor,
        p: &Prepared,
        placed: Placed,
        data: &IntakeData,
        clocks: &ck::ClockData,
        now: Timestamp,
    ) -> AppResult<Registered> {
        let Prepared {
            n,
            channel,
            reporter_org_id,
            matter_code,
            classification,
            suggested_department,
            confirmed,
            received_at,
            ..
        } = p;
        let (channel, reporter_org_id, confirmed, received_at) = (*channel, *reporter_org_id, *confirmed, *received_at);
        if let Some(src) = non_empty(&n.source_ref)
            && repo::source_exists(c, channel, &src)?
            && let Some(existing) = repo::find_by_source(c, channel, &src)?
        {
            return Ok(Registered {
                clue: existing,
                created: false,
                repeat_of: None,
                auto_dispatched: false,
            });
        }
        let Placed {
            address,
            point,
            street_code,
            locate_method,
            locate_reason,
            grid_code,
            compound_id,
            place_key: new_key,
            since,
            bbox,
            candidates,
            best,
            max_seen_id,
            team,
            ..
        } = placed;
        // The number first: on PostgreSQL its counter row serialises registrations, so the look
        // for clues stored since the read sees a concurrent registration once it has committed.
        let seq = repo::next_counter(c, "clue", &civil_date(received_at).year().to_string())?;
        let repeat = self.choose_repeat(
            c,
            &self_report(p, point, new_key.clone()),
            candidates,
            best,
            max_seen_id,
            (new_key.as_deref(), bbox, since),
            data,
        )?;
        let anonymous = n.anonymous;
        let mut k = Clue {
            id: 0,
            no: clue_no(civil_date(received_at).year(), seq),
            channel,
            source_ref: non_empty(&n.source_ref),
            work_order_type: if channel == Channel::Hotline12345 {
                Some(n.work_order_type.unwrap_or(WorkOrderType::Complaint))
            } else {
                n.work_order_type
            },
            status: if repeat.is_some() {
                ClueStatus::Linked
            } else {
                ClueStatus::Registered
            },
            description: n.description.trim().to_string(),
            address,
            lng: point.map(|p| p.lng),
            lat: point.map(|p| p.lat),
            compound_id,
            place_key: new_key,
            reporter_name: if anonymous { None } else { non_empty(&n.reporter_name) },
            reporter_phone: if anonymous { None } else { non_empty(&n.reporter_phone) },
            anonymous,
            reporter_org_id,
            reporter_user_id: actor.user_id,
            discovered_at: n.discovered_at,
            under_construction: n.under_construction,
            matter_code: matter_code.clone(),
            matter_confirmed: confirmed,
            classification: classification.clone(),
            suggested_department: suggested_department.clone(),
            street_code: street_code.clone(),
            grid_code,
            locate_method,
            locate_reason,
            assigned_org_id: None,
            transferred_to_org_id: None,
            handler_user_id: None,
            duplicate_of: repeat.as_ref().map(|(p, _)| p.id),
            repeat_count: 0,
            verification: None,
            verification_note: None,
            disposal: None,
            disposal_note: None,
            recheck_date: None,
            reply: None,
            received_at,
            replied_at: None,
            closed_at: None,
            created_at: now,
            updated_at: now,
            search_text: String::new(),
        };
        k.search_text = index_tokens(&format!(
            "{} {} {} {}",
            k.no,
            k.description,
            k.address,
            k.source_ref.clone().unwrap_or_default()
        ));
        // Automatic dispatch where the rules allow it, decided before the clue is stored so that
        // it is stored dispatched (one insert instead of an insert and an update of a row with a
        // dozen indexes); its timeline and audit still show registration, then dispatch.
        let auto_team = match data.auto_dispatch_min_confidence {
            Some(min)
                if k.status == ClueStatus::Registered
                    && k.suggested_department.is_none()
                    && matches!(k.locate_method, LocateMethod::Polygon | LocateMethod::CompoundName)
                    && k.street_code.is_some()
                    && p.confidence >= min
                    && data
                        .catalogue
                        .get(&k.matter_code)
                        .is_some_and(|m| m.remit.is_chengguan() && !m.is_other()) =>
            {
                team.as_ref()
            }
            _ => None,
        };
        if let Some(team) = auto_team {
            k.status = ClueStatus::Dispatched;
            k.assigned_org_id = Some(team.id);
        }
        k.id = repo::insert(c, &k)?;
        event_to(
            c,
            actor,
            &k,
            ClueAction::Register,
            None,
            ClueStatus::Registered,
            "",
            now,
        )?;
        // The clocks of this clue, recorded with the registration in one audit record.
        let mut started = Vec::new();
        for clk in clocks_for(&facts_of(&k, data)) {
            let anchor = if clk.from_discovery {
                k.discovered_at.unwrap_or(received_at)
            } else {
                received_at
            };
            let v = ck::start_clock_unaudited(
                c,
                clocks,
                NewClock {
                    subject: Subject { kind: "clue", id: k.id },
                    rule: clk.rule,
                    anchor,
                    street_code: k.street_code.as_deref(),
                },
                now,
            )?;
            started.push(serde_json::json!({"clock": v.id, "rule": clk.rule, "due_at": format_ts(v.deadline.due_at)}));
            if clk.met_at == MetAt::Received {
                ck::meet_clock(c, clocks, actor, v.id, received_at, now)?;
            }
        }
        let registered = ClueAudit {
            status: ClueStatus::Registered.code(),
            assigned_org_id: None,
            ..audit_view(&k)
        };
        record(
            c,
            actor,
            now,
            "clue.register",
            "clue",
            k.id,
            crate::audit::NONE,
            Some(&serde_json::json!({"clue": registered, "clocks": started})),
        )?;
        let mut repeat_of = None;
        if let Some((mut primary, reasons)) = repeat {
            primary.repeat_count += 1;
            primary.updated_at = now;
            repo::count_repeat(c, primary.id, now)?;
            event(
                c,
                actor,
                &primary,
                ClueAction::Link,
                Some(primary.status),
                &format!("新线索{}重复反映此问题", k.no),
                now,
            )?;
            event(
                c,
                actor,
                &k,
                ClueAction::Link,
                Some(ClueStatus::Registered),
                &format!("与线索{}为同一问题，已并案：{}", primary.no, reasons.join("；")),
                now,
            )?;
            repeat_of = Some((primary.id, reasons));
        }
        if let Some(team) = auto_team {
            let system = crate::clocks::system_actor();
            event(
                c,
                &system,
                &k,
                ClueAction::Dispatch,
                Some(ClueStatus::Registered),
                &format!(
                    "按辖区（{}）与事项自动派单至{}（分类置信度{:.0}%）",
                    k.locate_reason,
                    team.name,
                    p.confidence * 100.0
                ),
                now,
            )?;
            record(
                c,
                &system,
                now,
                "clue.dispatch",
                "clue",
                k.id,
                crate::audit::NONE,
                Some(&audit_view(&k)),
            )?;
        }
        let auto = auto_team.is_some();
        Ok(Registered {
            clue: k,
            created: true,
            repeat_of,
            auto_dispatched: auto,
        })
    }

    /// The open clue the new one repeats: the best of the candidates read before (`best`) and of
    /// the clues stored since (`max_seen_id`), checked to be still open now; a primary closed or
    /// linked meanwhile gives way to the next best. Runs in the write transaction, which so sees
    /// the clues of its own batch too.
    #[allow(clippy::too_many_arguments)]
    fn choose_repeat(
        &self,
        c: &mut dyn Conn,
        me: &Report,
        candidates: Vec<(repo::DedupCandidate, Report)>,
        best: Option<usize>,
        max_seen_id: Option<i64>,
        (place_key, bbox, since): (Option<&str>, Option<[f64; 4]>, Timestamp),
        data: &IntakeData,
    ) -> AppResult<Option<(Clue, Vec<String>)>> {
        let arrivals: Vec<(repo::DedupCandidate, Report)> = match max_seen_id {
            Some(after) => repo::dedup_arrivals(c, after, place_key, bbox, since)?,
            None => Vec::new(),
        }
        .into_iter()
        .filter(|k| !candidates.iter().any(|(x, _)| x.id == k.id))
        .map(|k| {
            let r = report_of(&k);
            (k, r)
        })
        .collect();
        // The read phase's winner against the arrivals: the same as one pass over all of them (the
        // winner stays first among equals, as it was first in its list). A winner found closed or
        // linked meanwhile sends the search back over every candidate.
        let mut rejected: Vec<i64> = Vec::new();
        let mut widened = false;
        loop {
            let pool: Vec<&(repo::DedupCandidate, Report)> = if widened {
                candidates.iter().chain(arrivals.iter()).collect()
            } else {
                best.map(|i| &candidates[i])
                    .into_iter()
                    .chain(arrivals.iter())
                    .collect()
            };
            let pool: Vec<&(repo::DedupCandidate, Report)> =
                pool.into_iter().filter(|(k, _)| !rejected.contains(&k.id)).collect();
            let reports: Vec<Report> = pool.iter().map(|(_, r)| r.clone()).collect();
            let Some(r) = find_repeat(me, &reports, &data.dedup) else {
                return Ok(None);
            };
            let id = pool[r.index].0.id;
            let k = repo::get(c, id)?;
            if k.duplicate_of.is_none()
                && !matches!(
                    k.status,
                    ClueStatus::Closed | ClueStatus::Returned | ClueStatus::Transferred
                )
            {
                return Ok(Some((k, r.score.reasons)));
            }
            rejected.push(id);
            widened |= best.is_some();
        }
    }

    /// Whether the actor's scope covers a clue.
    fn sees_clue(&self, _c: &mut dyn Conn, a: &Actor, k: &Clue) -> AppResult<bool> {
        // Partners see the clues they reported, not others' complaints about their compounds
        // (a complaint about a property company must not reach that company).
        let mut f = k.footprint(None);
        // A team also sees what is assigned to it.
        if let (Scope::Street(s), Some(org)) = (&a.scope, k.assigned_org_id)
            && org == a.org.id
        {
            f.street_code = Some(s.clone());
        }
        Ok(a.scope.sees(&f))
    }

    /// Steps the actor may take on a clue now.
    fn allowed_steps(&self, a: &Actor, k: &Clue) -> Vec<ClueAction> {
        ClueAction::ALL
            .iter()
            .copied()
            .filter(|act| {
                !matches!(act, ClueAction::Register | ClueAction::Dispose)
                    || *act == ClueAction::Dispose && k.status != ClueStatus::Linked
            })
            .filter(|act| next_status(k.status, *act).is_ok())
            .filter(|act| a.roles.iter().any(|r| roles_for(*act).contains(r)))
            .filter(|act| self.team_may(a, k, *act))
            .collect()
    }

    /// Team steps are for the team the clue is assigned to.
    fn team_may(&self, a: &Actor, k: &Clue, act: ClueAction) -> bool {
        match act {
            ClueAction::Sign | ClueAction::SendBack | ClueAction::Verify | ClueAction::Dispose => {
                k.assigned_org_id == Some(a.org.id)
            }
            ClueAction::Reply => {
                k.assigned_org_id == Some(a.org.id) || a.roles.contains(&jingzhi_domain::role::Role::Dispatcher)
            }
            _ => true,
        }
    }

    /// A clue with everything its page shows.
    pub fn clue_view(&self, a: &Actor, id: i64) -> AppResult<ClueView> {
        a.require(Resource::Clue, Action::View)?;
        let clocks = self.clock_data()?;
        let now = self.now();
        self.store.read(|c| {
            let k = repo::get(c, id)?;
            if !self.sees_clue(c, a, &k)? {
                return Err(AppError::new(ErrorCode::OutOfScope));
            }
            let name = |c: &mut dyn Conn, id: Option<i64>| -> AppResult<Option<String>> {
                Ok(match id {
                    Some(i) => Some(places::get_org(c, i)?.name),
                    None => None,
                })
            };
            let compound_name = match k.compound_id {
                Some(i) => Some(places::get_compound(c, i)?.name),
                None => None,
            };
            Ok(ClueView {
                clocks: ck::clocks_of(c, &clocks, Subject { kind: "clue", id }, now)?,
                events: repo::events_of(c, id)?,
                attachments: repo::attachments_of(c, id)?,
                linked: repo::linked_to(c, id)?,
                primary: match k.duplicate_of {
                    Some(p) => Some(repo::get(c, p)?),
                    None => None,
                },
                compound_name,
                assigned_org_name: name(c, k.assigned_org_id)?,
                transferred_to_name: name(c, k.transferred_to_org_id)?,
                reporter_org_name: name(c, k.reporter_org_id)?,
                allowed: self.allowed_steps(a, &k),
                show_contact: jingzhi_domain::clue::sees_reporter_contact(&a.roles),
                clue: k,
            })
        })
    }

    /// Takes one step of the workflow.
    pub fn clue_step(&self, a: &Actor, id: i64, action: ClueAction, p: &Step) -> AppResult<Clue> {
        a.require(Resource::Clue, Action::View)?;
        if !a.roles.iter().any(|r| roles_for(action).contains(r)) {
            return Err(AppError::with_message(
                ErrorCode::Forbidden,
                format!("无权{}", action.label()),
            ));
        }
        if needs_reason(action) && p.reason.trim().is_empty() {
            return Err(AppError::field("reason", format!("{}须写明理由", action.label())));
        }
        let data = self.intake_data()?;
        let clocks = self.clock_data()?;
        let now = self.now();
        self.store
            .write(|c| {
                let mut k = repo::get_for_update(c, id)?;
                if !self.sees_clue(c, a, &k)? {
                    return Err(AppError::new(ErrorCode::OutOfScope));
                }
                if !self.team_may(a, &k, action) {
                    return Err(AppError::with_message(
                        ErrorCode::Forbidden,
                        format!("只有承办该线索的执法队可以{}", action.label()),
                    ));
                }
                let from = k.status;
                let to =
                    next_status(from, action).map_err(|m| AppError::with_message(ErrorCode::ValidationFailed, m))?;
                let before = serde_json::to_value(audit_view(&k)).unwrap_or_default();
                let mut note = p.reason.trim().to_string();
                let met_rules = met_rules(&k, &data);
                match action {
                    ClueAction::Accept => {}
                    ClueAction::ReturnToSource => {
                        k.closed_at = Some(now);
                    }
                    ClueAction::TransferOut => {
                        let org = places::get_org(
                            c,
                            p.org_id.ok_or_else(|| AppError::field("org_id", "请选择移送的部门"))?,
                        )?;
                        if org.kind != OrgKind::Department {
                            return Err(AppError::field("org_id", "只能移送给管理部门"));
                        }
                        k.transferred_to_org_id = Some(org.id);
                        k.closed_at = Some(now);
                        note = format!("移送{}：{}", org.name, note);
                        meet_clocks(c, &clocks, a, k.id, MetAt::Transfer, now, &met_rules)?;
                    }
                    ClueAction::Dispatch | ClueAction::Reassign => {
                        let org = places::get_org(
                            c,
                            p.org_id
                                .ok_or_else(|| AppError::field("org_id", "请选择承办的执法队"))?,
                        )?;
                        if org.kind != OrgKind::StreetTeam {
                            return Err(AppError::field("org_id", "只能派给街镇执法队"));
                        }
                        if action == ClueAction::Reassign && k.assigned_org_id == Some(org.id) {
                            return Err(AppError::field("org_id", "改派须选择另一支执法队"));
                        }
                        k.assigned_org_id = Some(org.id);
                        k.handler_user_id = None;
                        if let Some(s) = &org.street_code {
                            k.street_code = Some(s.to_string());
                        }
                        note = if note.is_empty() {
                            format!("派至{}", org.name)
                        } else {
                            format!("改派至{}：{}", org.name, note)
                        };
                    }
                    ClueAction::Sign => {
                        k.handler_user_id = a.user_id;
                    }
                    ClueAction::SendBack => {
                        k.assigned_org_id = None;
                        k.handler_user_id = None;
                    }
                    ClueAction::Verify => {
                        let v = p
                            .verification
                            .ok_or_else(|| AppError::field("verification", "请选择核查结论（属实/不属实）"))?;
                        k.verification = Some(v);
                        k.verification_note = Some(p.text.trim().to_string()).filter(|s| !s.is_empty());
                        note = format!(
                            "{}{}",
                            v.label(),
                            if p.text.trim().is_empty() {
                                String::new()
                            } else {
                                format!("：{}", p.text.trim())
                            }
                        );
                        meet_clocks(c, &clocks, a, k.id, MetAt::Verify, now, &met_rules)?;
                    }
                    ClueAction::Dispose => {
                        let d = p
                            .disposal
                            .ok_or_else(|| AppError::field("disposal", "请选择处置方式"))?;
                        check_disposal(k.verification, d, &p.text).map_err(|m| AppError::field("disposal", m))?;
                        if d == Disposal::FileCase && !a.has_role(jingzhi_domain::role::Role::TeamLeader) {
                            return Err(AppError::with_message(ErrorCode::Forbidden, "立案须由队长批准"));
                        }
                        if d == Disposal::OrderCorrection && p.recheck_date.is_none() {
                            return Err(AppError::field("recheck_date", "责令改正须确定复查日期"));
                        }
                        k.disposal = Some(d);
                        k.disposal_note = Some(p.text.trim().to_string()).filter(|s| !s.is_empty());
                        k.recheck_date = p.recheck_date;
                        note = format!(
                            "{}{}",
                            d.label(),
                            if p.text.trim().is_empty() {
                                String::new()
                            } else {
                                format!("：{}", p.text.trim())
                            }
                        );
                        // Repeats follow their primary: each now awaits its own reply.
                        for mut l in repo::linked_to(c, k.id)? {
                            if l.status == ClueStatus::Linked {
                                let lf = l.status;
                                l.status = ClueStatus::Disposed;
                                l.disposal = Some(d);
                                l.verification = k.verification;
                                l.updated_at = now;
                                repo::update(c, &l)?;
                                event(
                                    c,
                                    a,
                                    &l,
                                    ClueAction::Dispose,
                                    Some(lf),
                                    &format!("随并案线索{}处置：{}", k.no, d.label()),
                                    now,
                                )?;
                            }
                        }
                    }
                    ClueAction::Reply => {
                        let text = p.text.trim();
                        if text.is_empty() {
                            return Err(AppError::field("text", "请填写回复内容"));
                        }
                        k.reply = Some(text.to_string());
                        k.replied_at = Some(now);
                        note = text.to_string();
                        meet_clocks(c, &clocks, a, k.id, MetAt::Reply, now, &met_rules)?;
                    }
                    ClueAction::Close => {
                        k.closed_at = Some(now);
                    }
                    ClueAction::Link => {
                        let pid = p
                            .primary_id
                            .ok_or_else(|| AppError::field("primary_id", "请填写并入的线索"))?;
                        if pid == k.id {
                            return Err(AppError::field("primary_id", "不能并入自己"));
                        }
                        let mut primary = repo::get_for_update(c, pid)?;
                        if !primary.status.is_open() || primary.duplicate_of.is_some() {
                            return Err(AppError::field("primary_id", "只能并入正在办理的主线索"));
                        }
                        primary.repeat_count += 1;
                        primary.updated_at = now;
                        repo::update(c, &primary)?;
                        k.duplicate_of = Some(pid);
                        note = format!("并入线索{}", primary.no);
                    }
                    ClueAction::Unlink => {
                        if let Some(pid) = k.duplicate_of {
                            let mut primary = repo::get_for_update(c, pid)?;
                            primary.repeat_count = (primary.repeat_count - 1).max(0);
                            primary.updated_at = now;
                            repo::update(c, &primary)?;
                        }
                        k.duplicate_of = None;
                    }
                    ClueAction::Reclassify => {
                        let code =
                            non_empty(&p.matter_code).ok_or_else(|| AppError::field("matter_code", "请选择事项"))?;
                        let m = data
                            .catalogue
                            .get(&code)
                            .ok_or_else(|| AppError::field("matter_code", "未知的执法事项"))?;
                        let suggested = serde_json::from_str::<serde_json::Value>(&k.classification)
                            .ok()
                            .and_then(|v| v.pointer("/matter/code").and_then(|x| x.as_str()).map(str::to_string))
                            .unwrap_or_else(|| k.matter_code.clone());
                        repo::insert_label(
                            c,
                            Some(k.id),
                            &format!("{} {}", k.description, k.address),
                            &suggested,
                            &m.code,
                            &a.name,
                            now,
                        )?;
                        note = format!(
                            "事项由“{}”更正为“{}”",
                            data.catalogue
                                .get(&k.matter_code)
                                .map(|x| x.name.as_str())
                                .unwrap_or(&k.matter_code),
                            m.name
                        );
                        k.matter_code = m.code.clone();
                        k.matter_confirmed = true;
                        if !m.is_other() {
                            k.suggested_department = None;
                        }
                        crate::intake::bump_version(c, now)?;
                    }
                    ClueAction::Relocate => {
                        let s =
                            non_empty(&p.street_code).ok_or_else(|| AppError::field("street_code", "请选择街镇"))?;
                        let street =
                            places::get_street(c, &s).map_err(|_| AppError::field("street_code", "街镇不存在"))?;
                        k.street_code = Some(street.code.to_string());
                        k.locate_method = LocateMethod::Manual;
                        k.locate_reason = format!(
                            "由{}人工指定为{}{}",
                            a.display_name,
                            street.name,
                            if note.is_empty() {
                                String::new()
                            } else {
                                format!("：{note}")
                            }
                        );
                        note = k.locate_reason.clone();
                    }
                    ClueAction::Note | ClueAction::Attach => {
                        if note.is_empty() {
                            note = p.text.trim().to_string();
                        }
                    }
                    ClueAction::Register => unreachable!("registration is register_clue"),
                }
                k.status = to;
                k.updated_at = now;
                repo::update(c, &k)?;
                event(c, a, &k, action, Some(from), &note, now)?;
                record(
                    c,
                    a,
                    now,
                    &format!("clue.{}", action.code()),
                    "clue",
                    k.id,
                    Some(&before),
                    Some(&audit_view(&k)),
                )?;
                Ok(k)
            })
            .inspect(|_| {
                self.queue_counts.invalidate();
                if action == ClueAction::Reclassify {
                    self.invalidate_intake_data();
                }
            })
    }

    /// A page of clues in one queue, in the actor's scope.
    pub fn list_clues(&self, a: &Actor, r: &ListRequest) -> AppResult<ClueList> {
        a.require(Resource::Clue, Action::View)?;
        let f = self.clue_filter(a, r);
        let limit = r.limit.clamp(1, 100_000);
        // A queue without filters has the count of its tab.
        let unfiltered =
            r.q.trim().is_empty() && r.channel.is_none() && r.matter_code.is_none() && r.street_code.is_none();
        let known = if unfiltered {
            self.clue_queue_counts(a)?
                .into_iter()
                .find(|(q, _)| *q == r.queue)
                .map(|(_, n)| n.min(LIST_COUNT_CAP + 1))
        } else {
            None
        };
        // Other lists and searches: their total is kept briefly too (by filter, which holds the
        // viewer's scope), so that paging or reloading a search walks its page only — counting a
        // common word's matches up to the cap is most of a search's cost.
        let key = format!("{f:?}");
        let generation = self.queue_counts.totals.generation();
        let kept = match known {
            Some(_) => None,
            None => self.queue_counts.totals.get(&key),
        };
        self.store.read(|c| {
            // Counting every match of a broad search in a million clues costs more than the page:
            // count up to the cap and say "more than".
            let (rows, total, cap) = match known {
                Some(n) => (repo::list(c, &f, limit, r.offset.max(0))?, n, LIST_COUNT_CAP),
                None => {
                    let counted = repo::page_counted(c, &f, limit, r.offset.max(0), LIST_COUNT_CAP, kept)?;
                    if kept.is_none() {
                        self.queue_counts.totals.put(generation, key, counted.1);
                    }
                    counted
                }
            };
            let ids: Vec<i64> = rows.iter().map(|k| k.id).collect();
            let open = clock_repo::open_clocks_of(c, "clue", &ids)?;
            let mut clock_states = Vec::new();
            for k in &rows {
                let mine: Vec<&clock_repo::ClockRow> = open.iter().filter(|x| x.subject_id == k.id).collect();
                let worst = mine.iter().map(|x| x.state.as_str()).max_by_key(|s| match *s {
                    "overdue" => 3,
                    "due_soon" => 2,
                    "suspended" => 1,
                    _ => 0,
                });
                if let (Some(w), Some(due)) = (worst, mine.iter().map(|x| x.due_at).min()) {
                    clock_states.push((k.id, w.to_string(), due));
                }
            }
            Ok(ClueList {
                rows,
                total: total.min(cap),
                total_capped: total > cap,
                clock_states,
            })
        })
    }

    /// The store filter of a list request: the actor's scope, the queue, the filters, the search.
    fn clue_filter(&self, a: &Actor, r: &ListRequest) -> ClueFilter {
        let mut f = ClueFilter::default();
        scope_filter(a, &mut f);
        f.channel = r.channel;
        f.matter_code = r.matter_code.clone();
        if let Some(s) = &r.street_code
            && !s.is_empty()
            && f.street_code.is_none()
        {
            f.street_code = Some(s.clone());
        }
        let team = (a.org.kind == OrgKind::StreetTeam).then_some(a.org.id);
        let open = ClueStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect::<Vec<_>>();
        match r.queue {
            Queue::ToAccept => f.statuses = vec![ClueStatus::Registered],
            Queue::ToDispatch => f.statuses = vec![ClueStatus::Accepted],
            Queue::ToSign => {
                f.statuses = vec![ClueStatus::Dispatched];
                f.assigned_org_id = team;
            }
            Queue::ToVerify => {
                f.statuses = vec![ClueStatus::Signed];
                f.assigned_org_id = team;
            }
            Queue::ToDispose => {
                f.statuses = vec![ClueStatus::Verified];
                f.assigned_org_id = team;
            }
            Queue::ToReply => f.statuses = vec![ClueStatus::Disposed],
            Queue::ToClose => f.statuses = vec![ClueStatus::Replied],
            Queue::Repeated => {
                f.repeated_only = true;
                f.statuses = open.clone();
            }
            Queue::Mine => {
                f.reporter_org_id = Some(a.org.id);
            }
            Queue::Transferred => f.transferred_to = Some(a.org.id),
            Queue::DueSoon => {
                f.clock_state = Some("due_soon".into());
                f.statuses = open.clone();
            }
            Queue::Overdue => {
                f.clock_state = Some("overdue".into());
                f.statuses = open.clone();
            }
            Queue::All => {}
        }
        let query = SearchQuery::parse(&r.q);
        if !query.is_empty() {
            if query.needs_like_fallback() {
                f.like = Some(r.q.trim().to_string());
            } else {
                f.tokens = query.tokens().into_iter().map(str::to_string).collect();
            }
        }
        f
    }

    /// Counts per queue for the actor (tabs and home page), in one read. Kept for
    /// [`COUNT_TTL_SECS`] per viewer (scope and roles) and dropped at once when this server changes
    /// a clue; a change made on another app server shows within that time.
    pub fn clue_queue_counts(&self, a: &Actor) -> AppResult<Vec<(Queue, i64)>> {
        a.require(Resource::Clue, Action::View)?;
        let now = self.now();
        let key = {
            let mut roles: Vec<&str> = a.roles.iter().map(|r| r.code()).collect();
            roles.sort_unstable();
            format!("{}:{}", a.org.id, roles.join(","))
        };
        let generation = self.queue_counts.generation.load(std::sync::atomic::Ordering::Acquire);
        let cached = |key: &str| {
            self.queue_counts
                .entries
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(key)
                .map(|(g, at, counts)| {
                    (
                        *g == generation && now.duration_since(*at).as_secs() < COUNT_TTL_SECS,
                        counts.clone(),
                    )
                })
        };
        let stale = match cached(&key) {
            Some((true, counts)) => return Ok(counts),
            Some((false, counts)) => Some(counts),
            None => None,
        };
        // One recount at a time: while it runs, others are answered with the previous counts.
        let _refreshing = match (self.queue_counts.refreshing.try_lock(), stale) {
            (Ok(g), _) => g,
            (Err(std::sync::TryLockError::Poisoned(p)), _) => p.into_inner(),
            (Err(std::sync::TryLockError::WouldBlock), Some(counts)) => return Ok(counts),
            (Err(std::sync::TryLockError::WouldBlock), None) => {
                let g = self.queue_counts.refreshing.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((true, counts)) = cached(&key) {
                    return Ok(counts);
                }
                g
            }
        };
        let queues = self.queues_for(a);
        let filters: Vec<(Queue, ClueFilter)> = queues
            .iter()
            .map(|q| {
                (
                    *q,
                    self.clue_filter(
                        a,
                        &ListRequest {
                            queue: *q,
                            ..Default::default()
                        },
                    ),
                )
            })
            .collect();
        let counts = self.store.read(|c| {
            let mut out = Vec::with_capacity(filters.len());
            for (q, f) in &filters {
                out.push((*q, repo::count(c, f)?));
            }
            Ok::<_, AppError>(out)
        })?;
        let mut entries = self.queue_counts.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() > 10_000 {
            entries.clear();
        }
        entries.insert(key, (generation, now, counts.clone()));
        Ok(counts)
    }

    /// The queues a role works from.
    pub fn queues_for(&self, a: &Actor) -> Vec<Queue> {
        use jingzhi_domain::role::Role::*;
        let mut v = Vec::new();
        if a.has_role(Dispatcher) {
            v.extend([Queue::ToAccept, Queue::ToDispatch, Queue::ToReply, Queue::ToClose]);
        }
        if a.has_role(TeamLeader) || a.has_role(Officer) {
            v.extend([Queue::ToSign, Queue::ToVerify, Queue::ToDispose, Queue::ToReply]);
        }
        if a.org.kind == OrgKind::Department {
            v.push(Queue::Transferred);
        }
        if matches!(
            a.org.kind,
            OrgKind::PropertyCompany | OrgKind::Grid | OrgKind::Community
        ) {
            v.push(Queue::Mine);
        } else {
            v.extend([Queue::DueSoon, Queue::Overdue, Queue::Repeated]);
        }
        v.push(Queue::All);
        let mut seen = Vec::new();
        v.retain(|q| {
            let fresh = !seen.contains(q);
            seen.push(*q);
            fresh
        });
        v
    }

    /// Adds a file to a clue (photos, documents). The type is checked against the file's own bytes
    /// (`AppConfig::file_policy`); the file goes to the file store (`App::files`) by SHA-256, before
    /// the attachment row is written (an unreferenced file is harmless; a row without its file is not).
    pub fn attach_to_clue(
        &self,
        a: &Actor,
        id: i64,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> AppResult<i64> {
        const MAX: usize = 20 * 1024 * 1024;
        if bytes.is_empty() {
            return Err(AppError::field("file", "文件为空"));
        }
        if bytes.len() > MAX {
            return Err(AppError::with_message(
                ErrorCode::PayloadTooLarge,
                "单个文件不能超过20MB",
            ));
        }
        let allowed = ATTACHMENT_TYPES;
        if !allowed.contains(&content_type) {
            return Err(AppError::field(
                "file",
                format!("不支持的文件类型：{content_type}（可上传照片、PDF、视频、录音）"),
            ));
        }
        // Type and size checked (and the file stored) before any step is recorded.
        let accepted = self
            .config
            .file_policy
            .check(None, Some(content_type), bytes)
            .map_err(|e| crate::files::policy_error("file", e))?;
        let content_type = accepted.content_type;
        let now = self.now();
        let k = self.clue_step(
            a,
            id,
            ClueAction::Attach,
            &Step {
                text: format!("上传附件：{filename}"),
                ..Default::default()
            },
        )?;
        let sha = self.files.put(bytes).map_err(crate::files::file_error)?.sha256;
        self.store.write(|c| {
            let att = repo::insert_attachment(
                c,
                &repo::Attachment {
                    id: 0,
                    clue_id: k.id,
                    sha256: sha.clone(),
                    filename: filename.chars().take(200).collect(),
                    content_type: content_type.into(),
                    size: bytes.len() as i64,
                    uploaded_by: a.display_name.clone(),
                    uploaded_at: now,
                },
            )?;
            record(
                c,
                a,
                now,
                "clue.attach",
                "clue",
                k.id,
                crate::audit::NONE,
                Some(&serde_json::json!({"attachment": att, "sha256": sha, "filename": filename, "size": bytes.len()})),
            )?;
            Ok(att)
        })
    }

    /// A clue attachment's bytes (scope-checked; the hash is verified on every read). Read from the
    /// file store; attachments uploaded before it existed are read from the database's `blob` table.
    pub fn clue_attachment(&self, a: &Actor, attachment_id: i64) -> AppResult<(repo::Attachment, Vec<u8>)> {
        a.require(Resource::Clue, Action::View)?;
        let att = self.store.read(|c| {
            let att = repo::get_attachment(c, attachment_id)?;
            let k = repo::get(c, att.clue_id)?;
            if !self.sees_clue(c, a, &k)? {
                return Err(AppError::new(ErrorCode::OutOfScope));
            }
            Ok(att)
        })?;
        let bytes = match self.files.get(&att.sha256) {
            Ok(bytes) => bytes,
            Err(jingzhi_files::FileError::NotFound { .. }) => {
                let (_, bytes) = self.store.read(|c| repo::get_blob(c, &att.sha256))?;
                if crate::secrets::sha256_bytes_hex(&bytes) != att.sha256 {
                    return Err(crate::files::file_error(jingzhi_files::FileError::Tampered {
                        sha256: att.sha256.clone(),
                        actual: crate::secrets::sha256_bytes_hex(&bytes),
                    }));
                }
                bytes
            }
            Err(e) => return Err(crate::files::file_error(e)),
        };
        Ok((att, bytes))
    }

    /// Mis-dispatch data: send-backs and reassignments since an instant, per org unit.
    pub fn dispatch_returns(&self, a: &Actor, since: Timestamp) -> AppResult<Vec<(String, String, i64)>> {
        a.require(Resource::Clue, Action::Export)?;
        Ok(self.store.read(|c| repo::returns_since(c, since))?)
    }

    /// The classifier's view of a text (for `jingzhi classify` and `/api/v1/classify`).
    pub fn classify_text(&self, a: &Actor, text: &str) -> AppResult<jingzhi_domain::classify::Classification> {
        a.require(Resource::Matter, Action::View)?;
        if text.trim().is_empty() {
            return Err(AppError::field("text", "请输入要分类的文本"));
        }
        Ok(self.intake_data()?.classifier.classify(text))
    }

    /// Clues in the actor's scope for an Excel export (a queue, at most 100,000 rows).
    pub fn export_clues(&self, a: &Actor, r: &ListRequest) -> AppResult<ClueList> {
        a.require(Resource::Clue, Action::Export)?;
        self.list_clues(
            a,
            &ListRequest {
                limit: 100_000,
                offset: 0,
                ..r.clone()
            },
        )
    }
}

/// For timelines: when a step happened, in Shanghai time.
pub fn event_time(e: &Event) -> String {
    jingzhi_domain::time::short_datetime(e.at)
}

/// Stored instant text, for exports.
pub fn ts_text(t: Option<Timestamp>) -> String {
    t.map(format_ts).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(minutes: i64, place: &str, lng: f64) -> Report {
        Report {
            matter: "cooking_fumes".into(),
            text: format!("饭店油烟{minutes}"),
            point: Some(Wgs84 { lng, lat: 31.21 }),
            place_key: Some(place.into()),
            received_at: Timestamp::from_second(1_790_000_000 + minutes * 60).unwrap(),
            matter_probs: Vec::new(),
        }
    }

    #[test]
    fn an_import_keeps_only_the_rows_a_later_look_can_reach() {
        // A window of one day; a row every ten minutes for four days at two places.
        let cfg = DedupConfig {
            window_hours: 24.0,
            ..Default::default()
        };
        let mut so_far = ImportedSoFar::new(&cfg);
        let day = 24 * 60;
        let mut most = 0;
        for i in 0..(4 * day / 10) {
            let minutes = i * 10;
            let (place, lng) = if i % 2 == 0 {
                ("addr:番禺路1号", 121.40)
            } else {
                ("addr:华阳路2号", 121.41)
            };
            so_far.add_report(i as usize, report(minutes, place, lng));
            most = most.max(so_far.kept());
        }
        // A day's rows and the one on its edge: not the four days added.
        assert_eq!(most, (day / 10 + 1) as usize);
        // Swept from the lists too: no more positions than a day and a sweep's worth.
        let listed: usize = so_far.by_key.values().map(Vec::len).sum();
        assert!(listed <= 2 * most, "{listed} positions listed for {most} rows kept");
        // The last row's look finds exactly the kept rows at its place in its window, by key
        // and by point, newest first.
        let last = 4 * day - 10;
        let since = Timestamp::from_second(1_790_000_000 + (last - day) * 60).unwrap();
        let by_key = so_far.merge(Vec::new(), Some("addr:华阳路2号"), None, since);
        assert_eq!(by_key.len(), DEDUP_CANDIDATES as usize);
        assert!(
            by_key
                .iter()
                .all(|(k, r)| k.received_at >= since && r.place_key.as_deref() == Some("addr:华阳路2号"))
        );
        assert!(by_key.windows(2).all(|w| w[0].0.received_at > w[1].0.received_at));
        let narrow = so_far.merge(Vec::new(), None, Some([121.409, 121.411, 31.209, 31.211]), since);
        assert_eq!(narrow.len(), DEDUP_CANDIDATES as usize);
        assert!(narrow.iter().all(|(k, _)| k.lng == Some(121.41)));
        // The first rows are gone, the last kept; a look reaching back before the window (as a
        // row received out of order would make) gets no dropped row.
        let added = (4 * day / 10) as usize;
        assert!(so_far.row(0).is_none() && so_far.row(added - most - 1).is_none());
        assert!(so_far.row(added - most).is_some() && so_far.row(added - 1).is_some());
        let early = Timestamp::from_second(1_790_000_000).unwrap();
        let all = so_far.merge(Vec::new(), Some("addr:番禺路1号"), None, early);
        assert!(all.iter().all(|(k, _)| k.received_at >= since));
    }
}
