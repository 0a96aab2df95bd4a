//! Penalty cases (办案): the case row with its facts (JSON of `jingzhi_domain::case::CaseFacts`),
//! parties, officers, timeline, evidence, records, frozen documents and publicity; gapless case
//! numbers from the `counter` table.

use super::limit_offset;
use crate::{Conn, Result, Row, StoreError, Value, dialect, params};
use jiff::Timestamp;
use jingzhi_domain::case::{
    CaseFacts, CaseStatus, DocumentKind, EvidenceType, IdType, Officer, PartyKind, ProcedureKind, SignatureStatus,
};
use jingzhi_domain::search::SearchQuery;
use std::sync::LazyLock;

// ---------------------------------------------------------------- numbers

/// The counter scope of a subject's case numbers in a year.
pub fn number_scope(subject_org_id: i64, year: i32) -> String {
    format!("{subject_org_id}:{year}")
}

/// The next case sequence number of an enforcement subject in a year (1, 2, 3…), in the caller's
/// transaction: gapless (a rollback gives the number back) and serialised per subject and year by
/// the counter row's lock, also across app servers on PostgreSQL.
pub fn next_case_seq(c: &mut dyn Conn, subject_org_id: i64, year: i32) -> Result<i64> {
    super::clues::next_counter(c, "case", &number_scope(subject_org_id, year))
}

/// The next number of a document series (per subject, kind and year).
pub fn next_document_seq(c: &mut dyn Conn, subject_org_id: i64, kind: DocumentKind, year: i32) -> Result<i64> {
    super::clues::next_counter(
        c,
        &format!("case_doc:{}", kind.code()),
        &number_scope(subject_org_id, year),
    )
}

// ---------------------------------------------------------------- cases

/// One penalty case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: i64,
    /// 案件编号 / 文号 (`None` until numbered).
    pub number: Option<String>,
    /// 执法主体: a street team's or the district bureau's org unit.
    pub subject_org_id: i64,
    pub year: i32,
    pub seq: Option<i64>,
    pub procedure: ProcedureKind,
    pub status: CaseStatus,
    pub matter_code: String,
    pub variant: Option<String>,
    pub clue_id: Option<i64>,
    /// The street/town the case is in (data scope).
    pub street_code: Option<String>,
    pub party_name: String,
    pub party_kind: PartyKind,
    pub title: String,
    /// 案情.
    pub summary: String,
    pub place: String,
    /// Decided (or proposed) fine, for lists and signals.
    pub amount_yuan: Option<i64>,
    pub filed_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub created_by: Option<i64>,
    pub updated_at: Timestamp,
    pub facts: CaseFacts,
    /// Optimistic lock: bumped by every update.
    pub version: i64,
}

const COLS: &str = "id, number, subject_org_id, year, seq, procedure, status, matter_code, variant, clue_id, \
    street_code, party_name, party_kind, title, summary, place, amount_yuan, filed_at, decided_at, closed_at, \
    created_by, updated_at, facts, version";

fn facts_json(f: &CaseFacts) -> Result<String> {
    serde_json::to_string(f).map_err(|e| StoreError::Other(format!("case facts: {e}")))
}

fn from_row(r: &Row) -> Result<CaseRow> {
    let text = r.text(22);
    let facts: CaseFacts = if text.is_empty() {
        // A light list row (`CaseFilter::light`): the facts were not read.
        CaseFacts::new(
            ProcedureKind::from_code(&r.text(5)).unwrap_or(ProcedureKind::Ordinary),
            PartyKind::from_code(&r.text(12)).unwrap_or(PartyKind::Citizen),
        )
    } else {
        serde_json::from_str(&text).map_err(|e| StoreError::Other(format!("case {} facts: {e}", r.i64(0))))?
    };
    Ok(CaseRow {
        id: r.i64(0),
        number: r.opt_text(1),
        subject_org_id: r.i64(2),
        year: r.i64(3) as i32,
        seq: r.opt_i64(4),
        procedure: ProcedureKind::from_code(&r.text(5)).unwrap_or(ProcedureKind::Ordinary),
        status: CaseStatus::from_code(&r.text(6)).unwrap_or(CaseStatus::Filed),
        matter_code: r.text(7),
        variant: r.opt_text(8),
        clue_id: r.opt_i64(9),
        street_code: r.opt_text(10),
        party_name: r.text(11),
        party_kind: PartyKind::from_code(&r.text(12)).unwrap_or(PartyKind::Citizen),
        title: r.text(13),
        summary: r.text(14),
        place: r.text(15),
        amount_yuan: r.opt_i64(16),
        filed_at: r.ts(17),
        decided_at: r.opt_ts(18),
        closed_at: r.opt_ts(19),
        created_by: r.opt_i64(20),
        updated_at: r.ts(21),
        facts,
        version: r.i64(23),
    })
}

fn values(k: &CaseRow) -> Result<Vec<Value>> {
    Ok(vec![
        k.number.clone().into(),
        k.subject_org_id.into(),
        k.year.into(),
        k.seq.into(),
        k.procedure.code().into(),
        k.status.code().into(),
        k.matter_code.clone().into(),
        k.variant.clone().into(),
        k.clue_id.into(),
        k.street_code.clone().into(),
        k.party_name.clone().into(),
        k.party_kind.code().into(),
        k.title.clone().into(),
        k.summary.clone().into(),
        k.place.clone().into(),
        k.amount_yuan.into(),
        k.filed_at.into(),
        k.decided_at.into(),
        k.closed_at.into(),
        k.created_by.into(),
        k.updated_at.into(),
        facts_json(&k.facts)?.into(),
        k.version.into(),
    ])
}

/// Inserts a case (its `id` is ignored) and returns the new id.
pub fn insert(c: &mut dyn Conn, k: &CaseRow) -> Result<i64> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let cols = &COLS["id, ".len()..];
        let placeholders: Vec<String> = (1..=cols.split(", ").count() + 1).map(|i| format!("${i}")).collect();
        format!(
            "INSERT INTO penalty_case ({cols}, search_text) VALUES ({}) RETURNING id",
            placeholders.join(", ")
        )
    });
    let mut p = values(k)?;
    p.push(search_tokens(k.number.as_deref(), &k.title, &k.place, [k.party_name.as_str()]).into());
    c.insert_id(&SQL, &p)
}

/// The token string a case is found by (案件检索): its number, title, place and the names of its
/// parties, tokenised by `jingzhi_domain::search` (CJK bigrams and words).
fn search_tokens<'a>(
    number: Option<&str>,
    title: &str,
    place: &str,
    parties: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut text = format!("{} {title} {place}", number.unwrap_or_default());
    let mut seen: Vec<&str> = Vec::new();
    for p in parties {
        if !seen.contains(&p) {
            seen.push(p);
            text.push(' ');
            text.push_str(p);
        }
    }
    jingzhi_domain::search::index_tokens(&text)
}

/// Recomputes a case's token string from the stored case and parties; writes it only when it
/// changed (the full-text index follows the column).
pub fn refresh_search(c: &mut dyn Conn, id: i64) -> Result<()> {
    let r = c.query_one(
        "SELECT number, title, place, party_name, search_text FROM penalty_case WHERE id = $1",
        params![id],
    )?;
    let names: Vec<String> = c
        .query(
            "SELECT name FROM case_party WHERE case_id = $1 ORDER BY id",
            params![id],
        )?
        .iter()
        .map(|p| p.text(0))
        .collect();
    let party_name = r.text(3);
    let tokens = search_tokens(
        r.opt_text(0).as_deref(),
        &r.text(1),
        &r.text(2),
        std::iter::once(party_name.as_str()).chain(names.iter().map(String::as_str)),
    );
    if tokens != r.text(4) {
        c.execute(
            "UPDATE penalty_case SET search_text = $1 WHERE id = $2",
            params![tokens, id],
        )?;
    }
    Ok(())
}

/// Fills the token string of up to `limit` cases stored before case search existed; returns how
/// many it filled (0: none left).
pub fn backfill_search(c: &mut dyn Conn, limit: i64) -> Result<usize> {
    let ids: Vec<i64> = c
        .query(
            "SELECT id FROM penalty_case WHERE search_text = '' ORDER BY id LIMIT $1",
            params![limit],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect();
    for id in &ids {
        refresh_search(c, *id)?;
    }
    Ok(ids.len())
}

/// Writes a case back if nobody changed it since it was read (`k.version` is the version read);
/// the stored version becomes `k.version + 1`. A stale version is a [`StoreError::Conflict`].
pub fn update(c: &mut dyn Conn, k: &CaseRow) -> Result<()> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let cols: Vec<&str> = COLS["id, ".len()..].split(", ").collect();
        let n = cols.len();
        let sets: Vec<String> = cols
            .iter()
            .enumerate()
            .filter(|(_, col)| **col != "version")
            .map(|(i, col)| format!("{col} = ${}", i + 1))
            .collect();
        format!(
            "UPDATE penalty_case SET {}, version = version + 1 WHERE id = ${} AND version = ${n}",
            sets.join(", "),
            n + 1
        )
    });
    let mut p = values(k)?;
    p.push(k.id.into());
    if c.execute(&SQL, &p)? == 1 {
        return refresh_search(c, k.id);
    }
    if exists(c, k.id)? {
        Err(StoreError::Conflict("penalty_case.version".into()))
    } else {
        Err(StoreError::NotFound)
    }
}

fn exists(c: &mut dyn Conn, id: i64) -> Result<bool> {
    Ok(c.query_opt("SELECT id FROM penalty_case WHERE id = $1", params![id])?
        .is_some())
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<CaseRow> {
    from_row(&c.query_one(&format!("SELECT {COLS} FROM penalty_case WHERE id = $1"), params![id])?)
}

/// Reads a case and locks it for the rest of the transaction (PostgreSQL; SQLite has one writer).
pub fn get_for_update(c: &mut dyn Conn, id: i64) -> Result<CaseRow> {
    let sql = format!(
        "SELECT {COLS} FROM penalty_case WHERE id = $1{}",
        dialect::for_update(c.backend())
    );
    from_row(&c.query_one(&sql, params![id])?)
}

pub fn find_by_number(c: &mut dyn Conn, number: &str) -> Result<Option<CaseRow>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM penalty_case WHERE number = $1"),
        params![number],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// The cases opened from a clue.
pub fn of_clue(c: &mut dyn Conn, clue_id: i64) -> Result<Vec<CaseRow>> {
    c.query(
        &format!("SELECT {COLS} FROM penalty_case WHERE clue_id = $1 ORDER BY id"),
        params![clue_id],
    )?
    .iter()
    .map(from_row)
    .collect()
}

/// What a case list asks for. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Data scope: only this street's cases.
    pub street_code: Option<String>,
    pub statuses: Vec<CaseStatus>,
    pub procedure: Option<ProcedureKind>,
    pub matter_code: Option<String>,
    pub subject_org_id: Option<i64>,
    /// Substring of the number, a party's name or the title.
    pub q: Option<String>,
    /// Cases this user is an officer of.
    pub officer_user_id: Option<i64>,
    /// Only cases with an open clock of one of these rules in this state (`overdue`, `due_soon`).
    pub clock_rules: Vec<String>,
    pub clock_states: Vec<String>,
    pub open_only: bool,
    pub limit: i64,
    pub offset: i64,
    /// Count matches only up to this many plus one (`None`: count them all).
    pub count_cap: Option<i64>,
    /// Do not count (the total comes back as -1): the caller knows it already.
    pub skip_count: bool,
    /// Leave the facts out of the rows (lists show none of them; reading and parsing each case's
    /// facts is most of a list page's cost). Rows then carry `CaseFacts::new(…)`.
    pub light: bool,
}

/// A list filtered by open clocks (三超期) and at most the street scope: answered from the clock
/// index, most overdue (earliest due) first, without visiting the cases that do not match.
fn by_clock_only(f: &CaseFilter) -> bool {
    !f.clock_states.is_empty()
        && f.statuses.is_empty()
        && f.procedure.is_none()
        && f.matter_code.is_none()
        && f.subject_org_id.is_none()
        && f.q.as_deref().is_none_or(|q| q.trim().is_empty())
        && f.officer_user_id.is_none()
}

fn list_by_clock(c: &mut dyn Conn, f: &CaseFilter) -> Result<(Vec<CaseRow>, i64)> {
    let mut p: Vec<Value> = Vec::new();
    let mut bind = |v: Value| {
        p.push(v);
        format!("${}", p.len())
    };
    let mut w = vec!["subject_type = 'case'".to_string(), "met_at IS NULL".to_string()];
    let states: Vec<String> = f.clock_states.iter().map(|x| bind(x.clone().into())).collect();
    w.push(format!("state IN ({})", states.join(", ")));
    if !f.clock_rules.is_empty() {
        let rules: Vec<String> = f.clock_rules.iter().map(|x| bind(x.clone().into())).collect();
        w.push(format!("rule_code IN ({})", rules.join(", ")));
    }
    if let Some(s) = &f.street_code {
        let x = bind(s.clone().into());
        w.push(format!("street_code = {x}"));
    }
    let w = w.join(" AND ");
    let from = dialect::open_clocks_by_due_from(c.backend());
    let total = match f.count_cap {
        _ if f.skip_count => -1,
        Some(cap) => c.scalar_i64(
            &format!(
                "SELECT COUNT(*) FROM (SELECT DISTINCT subject_id FROM {from} WHERE {w} LIMIT {}) capped",
                cap.max(0) + 1
            ),
            &p,
        )?,
        None => c.scalar_i64(&format!("SELECT COUNT(DISTINCT subject_id) FROM {from} WHERE {w}"), &p)?,
    };
    // The page: matching clocks in due order (clock_open_due; ties in its order, rule then case,
    // so that no sort reads every clock of a shared due time), one entry per case. A case with two
    // overdue clocks of the kind is listed at its earliest one; it may show again on a later page.
    // Nothing after the case in the order: clocks tying on all three are the same case's, and
    // PostgreSQL then reads the covering index alone (as the clue queues do).
    let mut ids: Vec<i64> = Vec::new();
    for r in c.query(
        &format!(
            "SELECT subject_id FROM {from} WHERE {w} ORDER BY due_at, rule_code, subject_id{}",
            limit_offset(f.limit.clamp(1, 1000), f.offset)
        ),
        &p,
    )? {
        let id = r.i64(0);
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Ok((Vec::new(), total));
    }
    let ph: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let params: Vec<Value> = ids.iter().map(|i| (*i).into()).collect();
    let mut rows = c
        .query(
            &format!(
                "SELECT {} FROM penalty_case k WHERE id IN ({})",
                select_cols(f.light),
                ph.join(", ")
            ),
            &params,
        )?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    rows.sort_by_key(|k| ids.iter().position(|i| *i == k.id).unwrap_or(usize::MAX));
    Ok((rows, total))
}

/// The FROM and WHERE of a case list, its parameters, and whether it is a full-text search (whose
/// matches are listed newest stored first: on SQLite the index is walked in that order and the
/// walk stops after the page).
fn where_clause(c: &mut dyn Conn, f: &CaseFilter) -> (String, Vec<Value>, bool) {
    let mut w: Vec<String> = Vec::new();
    let mut p: Vec<Value> = Vec::new();
    let bind = |p: &mut Vec<Value>, v: Value| -> String {
        p.push(v);
        format!("${}", p.len())
    };
    if let Some(s) = &f.street_code {
        let x = bind(&mut p, s.clone().into());
        w.push(format!("k.street_code = {x}"));
    }
    if !f.statuses.is_empty() {
        let xs: Vec<String> = f.statuses.iter().map(|s| bind(&mut p, s.code().into())).collect();
        w.push(format!("k.status IN ({})", xs.join(", ")));
    }
    if f.open_only {
        w.push("k.status NOT IN ('closed', 'archived', 'withdrawn')".into());
    }
    if let Some(pk) = f.procedure {
        let x = bind(&mut p, pk.code().into());
        w.push(format!("k.procedure = {x}"));
    }
    if let Some(m) = &f.matter_code {
        let x = bind(&mut p, m.clone().into());
        w.push(format!("k.matter_code = {x}"));
    }
    if let Some(s) = f.subject_org_id {
        let x = bind(&mut p, s.into());
        w.push(format!("k.subject_org_id = {x}"));
    }
    let search =
        f.q.as_ref()
            .map(|q| (q.trim(), SearchQuery::parse(q)))
            .filter(|(q, sq)| !q.is_empty() && !sq.is_empty() && !sq.needs_like_fallback());
    let mut from = "penalty_case k".to_string();
    if let Some((_, sq)) = &search {
        // Words and two-or-more-character Chinese terms: the full-text index.
        let tokens: Vec<String> = sq.tokens().into_iter().map(str::to_string).collect();
        let x = bind(&mut p, dialect::search_query_value(c.backend(), &tokens).into());
        let (fts_from, cond) = dialect::case_search(c.backend(), &x);
        if let Some(fr) = fts_from {
            from = fr.to_string();
        }
        w.push(cond);
    } else if let Some(q) = f.q.as_ref().map(|q| q.trim()).filter(|q| !q.is_empty()) {
        // A one-character Chinese term (or punctuation only): substring match, the rare slow path.
        let like = dialect::ilike(c.backend());
        let pat = format!("%{}%", q.replace(['%', '_'], ""));
        let x = bind(&mut p, pat.into());
        w.push(format!(
            "(k.number {like} {x} OR k.party_name {like} {x} OR k.title {like} {x} \
             OR k.id IN (SELECT case_id FROM case_party WHERE name {like} {x}))"
        ));
    }
    if let Some(u) = f.officer_user_id {
        let x = bind(&mut p, u.into());
        w.push(format!(
            "k.id IN (SELECT case_id FROM case_officer WHERE user_id = {x})"
        ));
    }
    if !f.clock_rules.is_empty() || !f.clock_states.is_empty() {
        let mut cw = vec!["subject_type = 'case'".to_string(), "met_at IS NULL".to_string()];
        if !f.clock_rules.is_empty() {
            let xs: Vec<String> = f.clock_rules.iter().map(|r| bind(&mut p, r.clone().into())).collect();
            cw.push(format!("rule_code IN ({})", xs.join(", ")));
        }
        if !f.clock_states.is_empty() {
            let xs: Vec<String> = f.clock_states.iter().map(|r| bind(&mut p, r.clone().into())).collect();
            cw.push(format!("state IN ({})", xs.join(", ")));
        }
        w.push(format!(
            "k.id IN (SELECT subject_id FROM clock WHERE {})",
            cw.join(" AND ")
        ));
    }
    let clause = if w.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", w.join(" AND "))
    };
    (format!("{from}{clause}"), p, search.is_some())
}

/// The columns of a list row from `penalty_case k` (light: without the facts).
fn select_cols(light: bool) -> String {
    COLS.split(", ")
        .map(|col| {
            if col == "facts" && light {
                "'' AS facts".to_string()
            } else {
                format!("k.{col}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A page of cases, newest filed first, and the number of matches.
pub fn list(c: &mut dyn Conn, f: &CaseFilter) -> Result<(Vec<CaseRow>, i64)> {
    if by_clock_only(f) {
        return list_by_clock(c, f);
    }
    // The count names the open statuses (an index range per status on (matter, status, filed_at));
    // the page keeps `NOT IN` (the partial indexes of open cases, already in filed order).
    let (cw, cp, _) = where_clause(
        c,
        &CaseFilter {
            statuses: if f.open_only && f.statuses.is_empty() {
                CaseStatus::ALL.iter().copied().filter(|s| s.is_open()).collect()
            } else {
                f.statuses.clone()
            },
            open_only: f.open_only && !f.statuses.is_empty(),
            ..f.clone()
        },
    );
    let (w, p, searched) = where_clause(c, f);
    let total = match f.count_cap {
        _ if f.skip_count => -1,
        Some(cap) => c.scalar_i64(
            &format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM {cw} LIMIT {}) capped",
                cap.max(0) + 1
            ),
            &cp,
        )?,
        None => c.scalar_i64(&format!("SELECT COUNT(*) FROM {cw}"), &cp)?,
    };
    let order = if searched {
        dialect::case_search_order(c.backend())
    } else {
        "k.filed_at DESC, k.id DESC"
    };
    let cols = select_cols(f.light);
    let rows = c
        .query(
            &format!(
                "SELECT {cols} FROM {w} ORDER BY {order}{}",
                limit_offset(f.limit.clamp(1, 1000), f.offset)
            ),
            &p,
        )?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// The numbers of a subject's cases in a year, in sequence order (for gap checks).
pub fn seqs_of(c: &mut dyn Conn, subject_org_id: i64, year: i32) -> Result<Vec<i64>> {
    Ok(c.query(
        "SELECT seq FROM penalty_case WHERE subject_org_id = $1 AND year = $2 AND seq IS NOT NULL ORDER BY seq",
        params![subject_org_id, year],
    )?
    .iter()
    .map(|r| r.i64(0))
    .collect())
}

// ---------------------------------------------------------------- parties

/// 当事人 as stored (validated by the application with `jingzhi_domain::case::Party`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: PartyKind,
    pub name: String,
    pub id_type: IdType,
    pub id_number: String,
    pub legal_representative: Option<String>,
    pub address: String,
    pub phone: Option<String>,
}

impl PartyRow {
    pub fn to_party(&self) -> jingzhi_domain::case::Party {
        jingzhi_domain::case::Party {
            kind: self.kind,
            name: self.name.clone(),
            id_type: self.id_type,
            id_number: self.id_number.clone(),
            legal_representative: self.legal_representative.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
        }
    }
}

pub fn insert_party(c: &mut dyn Conn, case_id: i64, p: &jingzhi_domain::case::Party, now: Timestamp) -> Result<i64> {
    let id = c.insert_id(
        "INSERT INTO case_party (case_id, kind, name, id_type, id_number, legal_representative, address, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        params![
            case_id,
            p.kind.code(),
            &p.name,
            p.id_type.code(),
            &p.id_number,
            &p.legal_representative,
            &p.address,
            &p.phone,
            now
        ],
    )?;
    refresh_search(c, case_id)?;
    Ok(id)
}

pub fn parties_of(c: &mut dyn Conn, case_id: i64) -> Result<Vec<PartyRow>> {
    Ok(c.query(
        "SELECT id, case_id, kind, name, id_type, id_number, legal_representative, address, phone \
             FROM case_party WHERE case_id = $1 ORDER BY id",
        params![case_id],
    )?
    .iter()
    .map(|r| PartyRow {
        id: r.i64(0),
        case_id: r.i64(1),
        kind: PartyKind::from_code(&r.text(2)).unwrap_or(PartyKind::Citizen),
        name: r.text(3),
        id_type: IdType::from_code(&r.text(4)).unwrap_or(IdType::ResidentId),
        id_number: r.text(5),
        legal_representative: r.opt_text(6),
        address: r.text(7),
        phone: r.opt_text(8),
    })
    .collect())
}

// ---------------------------------------------------------------- officers

/// Assigns an officer (re-assigning refreshes the name and certificate).
pub fn upsert_officer(c: &mut dyn Conn, case_id: i64, o: &Officer, now: Timestamp) -> Result<()> {
    let user_id = o
        .user_id
        .ok_or_else(|| StoreError::Other("case officer without a user id".into()))?;
    c.execute(
        "INSERT INTO case_officer (case_id, user_id, name, certificate_no, assigned_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (case_id, user_id) DO UPDATE SET name = $3, certificate_no = $4",
        params![case_id, user_id, &o.name, &o.certificate_no, now],
    )?;
    Ok(())
}

pub fn remove_officers(c: &mut dyn Conn, case_id: i64) -> Result<u64> {
    c.execute("DELETE FROM case_officer WHERE case_id = $1", params![case_id])
}

pub fn officers_of(c: &mut dyn Conn, case_id: i64) -> Result<Vec<Officer>> {
    Ok(c.query(
        "SELECT user_id, name, certificate_no FROM case_officer WHERE case_id = $1 ORDER BY assigned_at, user_id",
        params![case_id],
    )?
    .iter()
    .map(|r| Officer {
        user_id: r.opt_i64(0),
        name: r.text(1),
        certificate_no: r.opt_text(2),
    })
    .collect())
}

// ---------------------------------------------------------------- timeline

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub id: i64,
    pub case_id: i64,
    pub at: Timestamp,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
    pub data: Option<String>,
}

pub fn insert_event(c: &mut dyn Conn, e: &CaseEvent) -> Result<i64> {
    c.insert_id(
        "INSERT INTO case_event (case_id, at, actor_user_id, actor_name, action, from_status, to_status, note, data) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        params![
            e.case_id,
            e.at,
            e.actor_user_id,
            &e.actor_name,
            &e.action,
            &e.from_status,
            &e.to_status,
            &e.note,
            &e.data
        ],
    )
}

pub fn events_of(c: &mut dyn Conn, case_id: i64) -> Result<Vec<CaseEvent>> {
    Ok(c.query(
        "SELECT id, case_id, at, actor_user_id, actor_name, action, from_status, to_status, note, data \
             FROM case_event WHERE case_id = $1 ORDER BY id",
        params![case_id],
    )?
    .iter()
    .map(|r| CaseEvent {
        id: r.i64(0),
        case_id: r.i64(1),
        at: r.ts(2),
        actor_user_id: r.opt_i64(3),
        actor_name: r.text(4),
        action: r.text(5),
        from_status: r.opt_text(6),
        to_status: r.opt_text(7),
        note: r.text(8),
        data: r.opt_text(9),
    })
    .collect())
}

// ---------------------------------------------------------------- evidence and records

fn officers_json(o: &[Officer]) -> Result<String> {
    serde_json::to_string(o).map_err(|e| StoreError::Other(format!("officers: {e}")))
}

fn officers_from(s: &str) -> Vec<Officer> {
    serde_json::from_str(s).unwrap_or_default()
}

/// 证据: metadata, and the file's SHA-256, size and type when there is a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRow {
    pub id: i64,
    pub case_id: i64,
    pub evidence_type: EvidenceType,
    pub title: String,
    /// Who collected it (two certified officers), as recorded at the time.
    pub officers: Vec<Officer>,
    pub collected_at: Timestamp,
    pub place: String,
    pub signature: Option<SignatureStatus>,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub content_type: Option<String>,
    pub created_by: String,
    pub created_at: Timestamp,
}

pub fn insert_evidence(c: &mut dyn Conn, e: &EvidenceRow) -> Result<i64> {
    c.insert_id(
        "INSERT INTO case_evidence (case_id, evidence_type, title, officers, collected_at, place, signature, sha256, \
         size, content_type, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        params![
            e.case_id,
            e.evidence_type.code(),
            &e.title,
            officers_json(&e.officers)?,
            e.collected_at,
            &e.place,
            e.signature.map(|s| s.code()),
            &e.sha256,
            e.size,
            &e.content_type,
            &e.created_by,
            e.created_at
        ],
    )
}

const EVIDENCE_COLS: &str = "id, case_id, evidence_type, title, officers, collected_at, place, signature, sha256, size, \
    content_type, created_by, created_at";

fn evidence_from(r: &Row) -> EvidenceRow {
    EvidenceRow {
        id: r.i64(0),
        case_id: r.i64(1),
        evidence_type: EvidenceType::from_code(&r.text(2)).unwrap_or(EvidenceType::Documentary),
        title: r.text(3),
        officers: officers_from(&r.text(4)),
        collected_at: r.ts(5),
        place: r.text(6),
        signature: r.opt_text(7).and_then(|s| SignatureStatus::from_code(&s)),
        sha256: r.opt_text(8),
        size: r.opt_i64(9),
        content_type: r.opt_text(10),
        created_by: r.text(11),
        created_at: r.ts(12),
    }
}

pub fn evidence_of(c: &mut dyn Conn, case_id: i64) -> Result<Vec<EvidenceRow>> {
    Ok(c.query(
        &format!("SELECT {EVIDENCE_COLS} FROM case_evidence WHERE case_id = $1 ORDER BY id"),
        params![case_id],
    )?
    .iter()
    .map(evidence_from)
    .collect())
}

pub fn get_evidence(c: &mut dyn Conn, id: i64) -> Result<EvidenceRow> {
    Ok(evidence_from(&c.query_one(
        &format!("SELECT {EVIDENCE_COLS} FROM case_evidence WHERE id = $1"),
        params![id],
    )?))
}

/// 笔录.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub id: i64,
    pub case_id: i64,
    /// `inspection_record` or `inquiry_record` (a [`DocumentKind`] code).
    pub kind: DocumentKind,
    pub content: String,
    pub officers: Vec<Officer>,
    pub signature: Option<SignatureStatus>,
    pub recorded_at: Timestamp,
    pub created_by: String,
    pub created_at: Timestamp,
}

pub fn insert_record(c: &mut dyn Conn, r: &RecordRow) -> Result<i64> {
    c.insert_id(
        "INSERT INTO case_record (case_id, kind, content, officers, signature, recorded_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        params![
            r.case_id,
            r.kind.code(),
            &r.content,
            officers_json(&r.officers)?,
            r.signature.map(|s| s.code()),
            r.recorded_at,
            &r.created_by,
            r.created_at
        ],
    )
}

pub fn records_of(c: &mut dyn Conn, case_id: i64) -> Result<Vec<RecordRow>> {
    Ok(c.query(
        "SELECT id, case_id, kind, content, officers, signature, recorded_at, created_by, created_at \
             FROM case_record WHERE case_id = $1 ORDER BY id",
        params![case_id],
    )?
    .iter()
    .map(|r| RecordRow {
        id: r.i64(0),
        case_id: r.i64(1),
        kind: DocumentKind::from_code(&r.text(2)).unwrap_or(DocumentKind::InspectionRecord),
        content: r.text(3),
        officers: officers_from(&r.text(4)),
        signature: r.opt_text(5).and_then(|s| SignatureStatus::from_code(&s)),
        recorded_at: r.ts(6),
        created_by: r.text(7),
        created_at: r.ts(8),
    })
    .collect())
}

// ---------------------------------------------------------------- documents

/// An issued document: the frozen JSON snapshot and its SHA-256 (hex). There is no update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: DocumentKind,
    pub number: Option<String>,
    pub content: String,
    pub sha256: String,
    pub issued_at: Timestamp,
    pub issued_by: String,
}

pub fn insert_document(c: &mut dyn Conn, d: &DocumentRow) -> Result<i64> {
    c.insert_id(
        "INSERT INTO case_document (case_id, kind, number, content, sha256, issued_at, issued_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        params![
            d.case_id,
            d.kind.code(),
            &d.number,
            &d.content,
            &d.sha256,
            d.issued_at,
            &d.issued_by
        ],
    )
}

const DOC_COLS: &str = "id, case_id, kind, number, content, sha256, issued_at, issued_by";

fn document_from(r: &Row) -> DocumentRow {
    DocumentRow {
        id: r.i64(0),
        case_id: r.i64(1),
        kind: DocumentKind::from_code(&r.text(2)).unwrap_or(DocumentKind::FilingApproval),
        number: r.opt_text(3),
        content: r.text(4),
        sha256: r.text(5),
        issued_at: r.ts(6),
        issued_by: r.text(7),
    }
}

pub fn get_document(c: &mut dyn Conn, id: i64) -> Result<DocumentRow> {
    Ok(document_from(&c.query_one(
        &format!("SELECT {DOC_COLS} FROM case_document WHERE id = $1"),
        params![id],
    )?))
}

pub fn documents_of(c: &mut dyn Conn, case_id: i64) -> Result<Vec<DocumentRow>> {
    Ok(c.query(
        &format!("SELECT {DOC_COLS} FROM case_document WHERE case_id = $1 ORDER BY id"),
        params![case_id],
    )?
    .iter()
    .map(document_from)
    .collect())
}

// ---------------------------------------------------------------- publicity

/// 公示 of a decision: the masked notice as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicityRow {
    pub case_id: i64,
    pub published_at: Timestamp,
    pub due_by: Option<Timestamp>,
    pub withdrawn_at: Option<Timestamp>,
    pub reason: Option<String>,
    pub notice: String,
}

pub fn insert_publicity(c: &mut dyn Conn, p: &PublicityRow) -> Result<()> {
    c.execute(
        "INSERT INTO case_publicity (case_id, published_at, due_by, withdrawn_at, reason, notice) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        params![
            p.case_id,
            p.published_at,
            p.due_by,
            p.withdrawn_at,
            &p.reason,
            &p.notice
        ],
    )?;
    Ok(())
}

/// Withdraws a published notice; false if there is none or it was already withdrawn.
pub fn withdraw_publicity(c: &mut dyn Conn, case_id: i64, reason: &str, at: Timestamp) -> Result<bool> {
    Ok(c.execute(
        "UPDATE case_publicity SET withdrawn_at = $2, reason = $3 WHERE case_id = $1 AND withdrawn_at IS NULL",
        params![case_id, at, reason],
    )? == 1)
}

const PUB_COLS: &str = "case_id, published_at, due_by, withdrawn_at, reason, notice";

fn publicity_from(r: &Row) -> PublicityRow {
    PublicityRow {
        case_id: r.i64(0),
        published_at: r.ts(1),
        due_by: r.opt_ts(2),
        withdrawn_at: r.opt_ts(3),
        reason: r.opt_text(4),
        notice: r.text(5),
    }
}

pub fn publicity_of(c: &mut dyn Conn, case_id: i64) -> Result<Option<PublicityRow>> {
    Ok(c.query_opt(
        &format!("SELECT {PUB_COLS} FROM case_publicity WHERE case_id = $1"),
        params![case_id],
    )?
    .as_ref()
    .map(publicity_from))
}

/// Notices published by `now` and not withdrawn, newest first.
pub fn published(c: &mut dyn Conn, now: Timestamp, limit: i64) -> Result<Vec<PublicityRow>> {
    Ok(c.query(
        &format!(
            "SELECT {PUB_COLS} FROM case_publicity WHERE withdrawn_at IS NULL AND published_at <= $1 \
                 ORDER BY published_at DESC, case_id DESC LIMIT $2"
        ),
        params![now, limit],
    )?
    .iter()
    .map(publicity_from)
    .collect())
}
