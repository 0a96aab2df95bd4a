//! Synthetic data for benchmarks (`jingzhi generate …`): many clues with their clocks, written in
//! large batches straight through the store (no per-row audit: generated history is not a state
//! change anyone made), and 12345 work-order files. Deterministic for a given seed.

use crate::App;
use crate::error::{AppError, AppResult, ErrorCode};
use jiff::SignedDuration;
use jingzhi_domain::clock::ClockInput;
use jingzhi_domain::clue::{Channel, Clue, ClueStatus, WorkOrderType, clue_no};
use jingzhi_domain::geo::LocateMethod;
use jingzhi_domain::search::index_tokens;
use jingzhi_domain::time::civil_date;
use jingzhi_store::repo::{clocks as clock_repo, clues as repo, places};

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

const CORPUS: &str = include_str!("../../../data/corpus/classify.tsv");

fn corpus() -> Vec<(String, String)> {
    jingzhi_domain::classify::parse_corpus_tsv(CORPUS).unwrap_or_default()
}

impl App {
    /// Writes `count` synthetic clues (received over the year before now, mostly closed, the
    /// rest spread over the open statuses) with their reporter-feedback clocks, in transactions
    /// of `batch` clues. Calls `progress(done)` after each batch.
    pub fn generate_clues(
        &self,
        count: usize,
        batch: usize,
        seed: u64,
        progress: &mut dyn FnMut(usize),
    ) -> AppResult<()> {
        let texts = corpus();
        if texts.is_empty() {
            return Err(AppError::with_message(ErrorCode::Internal, "语料为空"));
        }
        let clocks = self.clock_data()?;
        let now = self.now();
        let (streets, compounds, teams) = self.store.read(|c| {
            let streets = places::list_streets(c)?;
            let compounds = places::list_compounds(c, None, None)?;
            let teams: Vec<(String, i64)> = places::list_orgs(c)?
                .into_iter()
                .filter_map(|o| {
                    o.street_code
                        .clone()
                        .filter(|_| o.kind == jingzhi_domain::org::OrgKind::StreetTeam)
                        .map(|s| (s.to_string(), o.id))
                })
                .collect();
            Ok::<_, AppError>((streets, compounds, teams))
        })?;
        if streets.is_empty() {
            return Err(AppError::with_message(
                ErrorCode::ValidationFailed,
                "请先导入组织机构与地点（jingzhi org import）",
            ));
        }
        let mut rng = Rng(seed);
        let open_states = [
            ClueStatus::Registered,
            ClueStatus::Accepted,
            ClueStatus::Dispatched,
            ClueStatus::Signed,
            ClueStatus::Verified,
            ClueStatus::Disposed,
            ClueStatus::Replied,
        ];
        let mut done = 0;
        while done < count {
            let n = batch.min(count - done);
            self.store.write(|c| {
                for i in 0..n {
                    let (matter, text) = &texts[rng.below(texts.len())];
                    let street = &streets[rng.below(streets.len())];
                    let compound = if rng.chance(35) {
                        compounds
                            .iter()
                            .filter(|cp| cp.street_code == street.code)
                            .nth(rng.below(6))
                    } else {
                        None
                    };
                    let received_at = now - SignedDuration::from_secs((rng.next() % (365 * 86_400)) as i64);
                    let channel = match rng.below(10) {
                        0..=5 => Channel::Hotline12345,
                        6 => Channel::PropertyReport,
                        7 => Channel::GridReport,
                        8 => Channel::Patrol,
                        _ => Channel::PublicReport,
                    };
                    // Old clues are mostly closed; recent ones are spread over the workflow.
                    let age_days = now.duration_since(received_at).as_secs() / 86_400;
                    let status = if age_days > 20 && rng.chance(97) {
                        ClueStatus::Closed
                    } else {
                        open_states[rng.below(open_states.len())]
                    };
                    let seq = repo::next_counter(c, "clue", &civil_date(received_at).year().to_string())?;
                    let team = teams
                        .iter()
                        .find(|(s, _)| *s == street.code.as_str())
                        .map(|(_, id)| *id);
                    let mut k = Clue {
                        id: 0,
                        no: clue_no(civil_date(received_at).year(), seq),
                        channel,
                        source_ref: (channel == Channel::Hotline12345).then(|| format!("GEN{seed:x}-{}", done + i)),
                        work_order_type: (channel == Channel::Hotline12345).then_some(WorkOrderType::Complaint),
                        status,
                        description: text.clone(),
                        address: compound
                            .map(|cp| cp.address.clone())
                            .unwrap_or_else(|| format!("长宁区{}辖区", street.name)),
                        lng: compound.and_then(|cp| cp.lng),
                        lat: compound.and_then(|cp| cp.lat),
                        compound_id: compound.map(|cp| cp.id),
                        place_key: compound.map(|cp| format!("compound-id:{}", cp.id)),
                        reporter_name: None,
                        reporter_phone: Some(format!("138{:08}", rng.below(100_000_000))),
                        anonymous: false,
                        reporter_org_id: None,
                        reporter_user_id: None,
                        discovered_at: None,
                        under_construction: false,
                        matter_code: matter.clone(),
                        matter_confirmed: true,
                        classification: "{}".into(),
                        suggested_department: None,
                        street_code: Some(street.code.to_string()),
                        grid_code: None,
                        locate_method: if compound.is_some() {
                            LocateMethod::CompoundName
                        } else {
                            LocateMethod::RoadRule
                        },
                        locate_reason: "生成的测试数据".into(),
                        assigned_org_id: if matches!(status, ClueStatus::Registered | ClueStatus::Accepted) {
                            None
                        } else {
                            team
                        },
                        transferred_to_org_id: None,
                        handler_user_id: None,
                        duplicate_of: None,
                        repeat_count: if rng.chance(3) { 1 + rng.below(3) as i64 } else { 0 },
                        verification: None,
                        verification_note: None,
                        disposal: None,
                        disposal_note: None,
                        recheck_date: None,
                        reply: (status == ClueStatus::Closed).then(|| "经核查已处理。".to_string()),
                        received_at,
                        replied_at: (status == ClueStatus::Closed)
                            .then_some(received_at + SignedDuration::from_hours(30)),
                        closed_at: (status == ClueStatus::Closed)
                            .then_some(received_at + SignedDuration::from_hours(40)),
                        created_at: received_at,
                        updated_at: received_at,
                        search_text: String::new(),
                    };
                    k.search_text = index_tokens(&format!("{} {} {}", k.no, k.description, k.address));
                    k.id = repo::insert(c, &k)?;
                    let rule = "report_feedback_5wd";
                    let met = k.replied_at;
                    let input = ClockInput {
                        anchor: received_at,
                        suspensions: &[],
                        extensions: &[],
                        met_at: met,
                    };
                    let d = clocks
                        .rules
                        .compute(rule, &clocks.calendar, &input, now)
                        .map_err(|e| AppError::with_message(ErrorCode::Internal, e.to_string()))?;
                    clock_repo::insert_clock(
                        c,
                        &clock_repo::ClockRow {
                            id: 0,
                            subject_type: "clue".into(),
                            subject_id: k.id,
                            rule_code: rule.into(),
                            anchor_at: received_at,
                            met_at: met,
                            state: d.state.code().into(),
                            due_at: d.due_at,
                            provisional: d.provisional.is_some(),
                            street_code: k.street_code.clone(),
                        },
                        now,
                    )?;
                }
                Ok::<_, AppError>(())
            })?;
            done += n;
            self.queue_counts.invalidate();
            progress(done);
        }
        self.store.refresh_statistics()?;
        Ok(())
    }

    /// Rows of a synthetic 12345 work-order file (header first), `rows` long, received over the
    /// `days` before now.
    pub fn generate_hotline_rows(&self, rows: usize, seed: u64, days: u32) -> Vec<Vec<String>> {
        let texts = corpus();
        let now = self.now();
        let mut rng = Rng(seed);
        let roads = [
            "仙霞路",
            "天山路",
            "虹桥路",
            "长宁路",
            "延安西路",
            "娄山关路",
            "遵义路",
            "中山西路",
            "江苏路",
            "愚园路",
            "新华路",
            "番禺路",
        ];
        let kinds = ["投诉", "举报", "求助", "咨询", "建议"];
        let mut out = vec![
            [
                "工单编号",
                "受理时间",
                "诉求类型",
                "诉求内容",
                "事发地址",
                "联系人",
                "联系电话",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ];
        for i in 0..rows {
            let (_, text) = &texts[rng.below(texts.len())];
            let at = now - SignedDuration::from_secs((rng.next() % (u64::from(days.max(1)) * 86_400)) as i64);
            out.push(vec![
                format!("GD{seed:x}{i:07}"),
                jingzhi_domain::time::short_datetime(at),
                kinds[rng.below(kinds.len())].to_string(),
                text.clone(),
                format!("长宁区{}{}号", roads[rng.below(roads.len())], 1 + rng.below(1500)),
                if rng.chance(30) {
                    String::new()
                } else {
                    "市民".to_string()
                },
                format!("139{:08}", rng.below(100_000_000)),
            ]);
        }
        out
    }
}
