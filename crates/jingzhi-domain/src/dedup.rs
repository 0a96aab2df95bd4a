//! 重复投诉识别 (duplicates and repeats): does a new report repeat an open clue?
//!
//! A new report repeats an open clue when it is about the **same place** (same compound or
//! address key, or within a radius), the **same problem** (same matter, similar text), within a
//! **time window**. Method (figures in `docs/duplicates.md`):
//!
//! - Gates: received within `window_hours` of each other, and the place is not known to differ
//!   (points farther apart than `radius_m`, or different place keys with no points, fail).
//! - Score = `w_place·place + w_problem·problem + w_related·[related matters] + w_text·text
//!   − w_other·[“另一家”…] − w_numbers·[house/room numbers differ]`, where
//!   - `place` is 1 for the same place key or within `near_m`, falling linearly to 0 at `radius_m`;
//!   - `problem` is the cosine of the two reports' matter probabilities (from the classifier), or,
//!     without probabilities, 1 for the same matter and 0 otherwise;
//!   - related matters are those whose catalogue notes name each other ([`related_matters`]);
//!   - `text` is the cosine of the character-bigram sets of the two texts after normalisation
//!     (full-width folded, boilerplate such as 投诉/反映/市民来电/网格巡查 and place names removed).
//! - A repeat when the score reaches `threshold`; the best-scoring candidate wins.
//!
//! The matter is evidence, not a gate: the same stall is reported as 占道经营 by one caller and 无序设摊
//! by another, and the same site's trucks as 扬尘 and as 建筑垃圾.

use crate::geo::{Wgs84, haversine_m};
use crate::search::{Segment, normalize, segments};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What duplicate detection needs to know about a report or an open clue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Matter code (as classified or confirmed).
    pub matter: String,
    /// Description text.
    pub text: String,
    /// WGS84 point, if known.
    pub point: Option<Wgs84>,
    /// Stable place key, if known: a compound code or an address key
    /// (see [`crate::geo::AddressRules::place_key`]).
    pub place_key: Option<String>,
    /// When it was received.
    pub received_at: Timestamp,
    /// The classifier's matter probabilities for the text (the suggestion and its alternatives),
    /// if available: compared as "problem similarity", which sees that 渣土车撒漏 and 土方车掉土
    /// are one problem although they share few characters.
    #[serde(default)]
    pub matter_probs: Vec<(String, f64)>,
}

/// Thresholds and weights. [`Default`] holds the values documented in `docs/duplicates.md`;
/// fields missing from a stored (JSON) configuration take their default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DedupConfig {
    /// Farthest distance (metres) at which two reports can be about the same place.
    pub radius_m: f64,
    /// Distance (metres) up to which two points count as the same place.
    pub near_m: f64,
    /// Longest time between the two reports, in hours.
    pub window_hours: f64,
    /// Score from which a candidate is a repeat.
    pub threshold: f64,
    /// Weight of the place agreement (0..1).
    pub w_place: f64,
    /// Weight of the text similarity (0..1).
    pub w_text: f64,
    /// Penalty when the new text says it is another object (另一家, 另外一户, 不是上次那家…).
    pub w_other: f64,
    /// Penalty when both texts give house/room numbers and they differ.
    pub w_numbers: f64,
    /// Credit for two different but related matters (see [`related_matters`]).
    pub w_related: f64,
    /// Pairs of related matter codes (either order).
    pub related: Vec<(String, String)>,
    /// Weight of the problem similarity: the cosine of the two reports' matter probabilities, which
    /// is simply 1 for the same matter and 0 otherwise when no probabilities are given.
    pub w_problem: f64,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            radius_m: 150.0,
            near_m: 50.0,
            window_hours: 30.0 * 24.0,
            threshold: 0.7,
            w_place: 0.4,
            w_text: 1.0,
            w_other: 1.0,
            w_numbers: 0.6,
            w_related: 0.2,
            related: default_related().to_vec(),
            w_problem: 0.4,
        }
    }
}

/// How one candidate compares with the new report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairScore {
    /// Both gates passed (time window, place not known to differ).
    pub eligible: bool,
    pub score: f64,
    /// Eligible and score ≥ threshold.
    pub is_repeat: bool,
    pub distance_m: Option<f64>,
    pub hours_apart: f64,
    pub same_place_key: bool,
    /// 1 for the same place key or within `near_m`, falling linearly to 0 at `radius_m`.
    pub place: f64,
    pub same_matter: bool,
    /// Different but related matters.
    pub related_matter: bool,
    pub text_similarity: f64,
    /// The new text says it is another object (另一家…).
    pub other_object: bool,
    /// Both texts give house/room numbers and none agree.
    pub numbers_differ: bool,
    /// Chinese, one fact per line: place, matter, text, time, and any penalty.
    pub reasons: Vec<String>,
}

/// The open clue a new report repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatOf {
    /// Index of the candidate in the slice given.
    pub index: usize,
    pub score: PairScore,
}

/// Compares a new report with one candidate.
pub fn score_pair(new: &Report, old: &Report, cfg: &DedupConfig) -> PairScore {
    score_pair_with(new, &bigram_set(&new.text), old, &bigram_set(&old.text), cfg, true)
}

/// [`score_pair`] with the texts' bigram sets computed by the caller (once per text, however many
/// pairs it is in), and the reasons written only when asked for (they never change the score).
fn score_pair_with(
    new: &Report,
    new_grams: &Grams,
    old: &Report,
    old_grams: &Grams,
    cfg: &DedupConfig,
    explain: bool,
) -> PairScore {
    let hours = (new.received_at.as_second() - old.received_at.as_second()).abs() as f64 / 3600.0;
    let same_key = match (&new.place_key, &old.place_key) {
        (Some(a), Some(b)) => !a.trim().is_empty() && a == b,
        _ => false,
    };
    let keys_differ = matches!((&new.place_key, &old.place_key), (Some(a), Some(b)) if a != b);
    let distance = match (new.point, old.point) {
        (Some(a), Some(b)) if a.is_valid() && b.is_valid() => Some(haversine_m(a, b)),
        _ => None,
    };
    // 其他 is a bag of unrelated topics: sharing it says nothing (pass `other:<topic>` to compare
    // out-of-remit topics).
    let same_matter = new.matter == old.matter;
    let related = !same_matter
        && cfg
            .related
            .iter()
            .any(|(a, b)| (a == &new.matter && b == &old.matter) || (b == &new.matter && a == &old.matter));
    let sim = similarity_of(new_grams, old_grams);
    let mut reasons = Reasons {
        on: explain,
        lines: Vec::new(),
    };
    let mut eligible = true;

    // Place.
    let place = if same_key {
        reasons.push(|| format!("同一地点（{}）", display_key(new.place_key.as_deref().unwrap_or(""))));
        1.0
    } else if let Some(d) = distance {
        if d > cfg.radius_m {
            eligible = false;
            reasons.push(|| format!("相距约{:.0}米，超出{:.0}米范围", d, cfg.radius_m));
            0.0
        } else {
            reasons.push(|| format!("相距约{:.0}米（范围{:.0}米）", d, cfg.radius_m));
            if d <= cfg.near_m {
                1.0
            } else {
                ((cfg.radius_m - d) / (cfg.radius_m - cfg.near_m).max(1.0)).clamp(0.0, 1.0)
            }
        }
    } else if keys_differ {
        eligible = false;
        reasons.push(|| "地点不同".to_string());
        0.0
    } else {
        reasons.push(|| "地点无法比较（缺少坐标或地址）".to_string());
        0.0
    };

    // Time.
    if hours > cfg.window_hours {
        eligible = false;
        reasons.push(|| format!("间隔{}，超出{}窗口", zh_hours(hours), zh_hours(cfg.window_hours)));
    } else {
        reasons.push(|| format!("间隔{}（窗口{}）", zh_hours(hours), zh_hours(cfg.window_hours)));
    }

    // Matter and text.
    reasons.push(|| {
        if same_matter {
            "事项相同".to_string()
        } else if related {
            "事项相关".to_string()
        } else {
            "事项不同".to_string()
        }
    });
    reasons.push(|| format!("文本相似度{sim:.2}"));
    let related_credit = if related { cfg.w_related } else { 0.0 };
    let problem = problem_similarity(new, old);
    if !new.matter_probs.is_empty() && !old.matter_probs.is_empty() {
        reasons.push(|| format!("问题相似度{problem:.2}（按分类概率）"));
    }
    let mut score = cfg.w_place * place + cfg.w_problem * problem + related_credit + cfg.w_text * sim;

    // Penalties: the new text says it is another object; house/room numbers differ.
    let cue = other_object_cue(&new.text);
    if let Some(cue) = cue {
        score -= cfg.w_other;
        reasons.push(|| format!("新线索称“{cue}”，应为另一对象"));
    }
    let conflict = numbers_conflict(&new.text, &old.text);
    if let Some((a, b)) = &conflict {
        score -= cfg.w_numbers;
        reasons.push(|| format!("门牌或房号不同（{a} / {b}）"));
    }
    let is_repeat = eligible && score >= cfg.threshold;
    PairScore {
        eligible,
        score: (score * 1000.0).round() / 1000.0,
        is_repeat,
        distance_m: distance.map(|d| d.round()),
        hours_apart: (hours * 10.0).round() / 10.0,
        same_place_key: same_key,
        place,
        same_matter,
        related_matter: related,
        text_similarity: (sim * 1000.0).round() / 1000.0,
        other_object: cue.is_some(),
        numbers_differ: conflict.is_some(),
        reasons: reasons.lines,
    }
}

/// The candidate (open clue) that the new report repeats: the highest-scoring repeat, ties to the
/// earliest received, then the first given. `None` when no candidate is a repeat.
pub fn find_repeat(new: &Report, candidates: &[Report], cfg: &DedupConfig) -> Option<RepeatOf> {
    // Each text's bigrams once (not once per pair), and the reasons only for the one chosen.
    let mine = bigram_set(&new.text);
    let mut best: Option<(usize, f64, Grams)> = None;
    for (index, c) in candidates.iter().enumerate() {
        let grams = bigram_set(&c.text);
        let score = score_pair_with(new, &mine, c, &grams, cfg, false);
        if !score.is_repeat {
            continue;
        }
        let better = match &best {
            None => true,
            Some((b, s, _)) => score.score > *s || (score.score == *s && c.received_at < candidates[*b].received_at),
        };
        if better {
            best = Some((index, score.score, grams));
        }
    }
    best.map(|(index, _, grams)| RepeatOf {
        index,
        score: score_pair_with(new, &mine, &candidates[index], &grams, cfg, true),
    })
}

/// The reasons of a [`PairScore`], written only when they are wanted.
struct Reasons {
    on: bool,
    lines: Vec<String>,
}

impl Reasons {
    fn push(&mut self, line: impl FnOnce() -> String) {
        if self.on {
            self.lines.push(line());
        }
    }
}

/// Cosine of the two reports' matter probabilities (sparse vectors over matter codes). A report
/// without probabilities counts as certain of its matter, so without any probabilities this is 1
/// for the same matter and 0 otherwise.
fn problem_similarity(a: &Report, b: &Report) -> f64 {
    let vec = |r: &Report| -> Vec<(String, f64)> {
        if r.matter_probs.is_empty() {
            vec![(r.matter.clone(), 1.0)]
        } else {
            r.matter_probs.clone()
        }
    };
    let (a, b) = (vec(a), vec(b));
    let norm = |v: &[(String, f64)]| v.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
    let dot: f64 = a
        .iter()
        .map(|(m, p)| p * b.iter().find(|(n, _)| n == m).map_or(0.0, |x| x.1))
        .sum();
    let d = norm(&a) * norm(&b);
    if d > 0.0 { (dot / d).clamp(0.0, 1.0) } else { 0.0 }
}

/// Phrases of reporting boilerplate that say nothing about the problem.
const BOILERPLATE: [&str; 22] = [
    "市民来电",
    "市民反映",
    "网格员上报",
    "网格巡查",
    "物业上报",
    "居委上报",
    "又来投诉了",
    "投诉",
    "反映",
    "举报",
    "上报",
    "来电",
    "请尽快处理",
    "请尽快",
    "尽快处理",
    "请城管",
    "城管",
    "执法队",
    "处理一下",
    "谁来管",
    "有没有人管",
    "请",
];

/// Similarity (0..1) of two texts: the cosine of their character-bigram sets after normalisation
/// (full-width folded, reporting boilerplate and place names removed, digits and punctuation
/// dropped). (Weighting bigrams by their rarity in the complaint corpus was tried and did not help;
/// see `docs/duplicates.md`.)
pub fn text_similarity(a: &str, b: &str) -> f64 {
    similarity_of(&bigram_set(a), &bigram_set(b))
}

/// A text's bigram set: see [`bigram_set`].
type Grams = Vec<u64>;

fn similarity_of(sa: &Grams, sb: &Grams) -> f64 {
    if sa.is_empty() || sb.is_empty() {
        return 0.0;
    }
    // Both sorted: count the common elements in one walk.
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < sa.len() && j < sb.len() {
        match sa[i].cmp(&sb[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let common = common as f64;
    (common / ((sa.len() * sb.len()) as f64).sqrt()).clamp(0.0, 1.0)
}

/// Related matters: pairs whose catalogue remit notes refer to each other by name (“建筑垃圾” in
/// 扬尘污染's note…) — the same situation seen from two sides, so two reports of one place may be
/// classified differently. Symmetric, sorted, each pair once.
pub fn related_matters(catalogue: &crate::matter::Catalogue) -> Vec<(String, String)> {
    let mut out: BTreeSet<(String, String)> = BTreeSet::new();
    for m in catalogue.matters() {
        for other in catalogue.matters() {
            if other.code != m.code && m.remit_note.contains(&format!("“{}”", other.name)) {
                let (a, b) = if m.code < other.code {
                    (m.code.clone(), other.code.clone())
                } else {
                    (other.code.clone(), m.code.clone())
                };
                out.insert((a, b));
            }
        }
    }
    out.into_iter().collect()
}

fn default_related() -> &'static [(String, String)] {
    static REL: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    REL.get_or_init(|| related_matters(&crate::matter::default_catalogue()))
}

/// One-character place suffixes (天山路, 仙霞新村, 剑河家苑, 599弄, 38号, 302室) and two-character ones.
const PLACE_SUFFIX_1: [char; 9] = ['路', '村', '苑', '弄', '号', '室', '栋', '幢', '园'];
const PLACE_SUFFIX_2: [&str; 8] = ["小区", "新村", "花园", "公寓", "别墅", "大厦", "广场", "家苑"];

/// The text without the names of places: a place suffix and the (up to 3, or 4 before a two-
/// character suffix) CJK characters before it are blanked, so that similarity measures the problem
/// described rather than the shared address (the place is compared separately).
fn strip_places(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    let mut keep = vec![true; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let two = |s: &&str| {
            let mut it = s.chars();
            it.next() == Some(chars[i]) && it.next() == chars.get(i + 1).copied() && it.next().is_none()
        };
        let (len, before) = if PLACE_SUFFIX_2.iter().any(two) {
            (2, 4)
        } else if PLACE_SUFFIX_1.contains(&chars[i]) {
            (1, 3)
        } else {
            i += 1;
            continue;
        };
        let mut start = i;
        while start > 0 && i - start < before && crate::search::is_cjk(chars[start - 1]) && keep[start - 1] {
            start -= 1;
        }
        for k in keep.iter_mut().take(i + len).skip(start) {
            *k = false;
        }
        i += len;
    }
    chars
        .iter()
        .zip(&keep)
        .map(|(c, k)| if *k { *c } else { '，' })
        .collect()
}

/// A text's bigrams (and words) as numbers, sorted and distinct: a CJK bigram is its two
/// characters packed (below 2^42), a word a 64-bit FNV-1a hash with the top bit set. (Strings in
/// a `BTreeSet` cost a tenth of an import's time in allocation and comparison.)
fn bigram_set(text: &str) -> Grams {
    let mut t = normalize(text);
    for b in BOILERPLATE {
        if t.contains(b) {
            t = t.replace(b, "，");
        }
    }
    let t = strip_places(&t);
    let mut out = Vec::new();
    for seg in segments(&t) {
        match seg {
            Segment::Cjk(run) => {
                let mut prev: Option<char> = None;
                for c in run.chars() {
                    if let Some(p) = prev {
                        out.push(((p as u64) << 21) | c as u64);
                    }
                    prev = Some(c);
                }
            }
            Segment::Word(w) if !w.bytes().all(|c| c.is_ascii_digit()) => {
                let h = w.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
                });
                out.push(h | 1 << 63);
            }
            Segment::Word(_) => {}
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Words by which a reporter says it is about a different object than before.
const OTHER_OBJECT_CUES: [&str; 10] = [
    "另一家",
    "另一户",
    "另外一户",
    "另外一家",
    "另一个",
    "另外一个",
    "另一头",
    "隔几家",
    "不是上次",
    "不是同一",
];

fn other_object_cue(text: &str) -> Option<&'static str> {
    let t = normalize(text);
    OTHER_OBJECT_CUES.iter().copied().find(|c| t.contains(c))
}

/// House numbers (`12号`, `12号楼`) and room numbers (`302室`, the 3–4 digits after `号`) of a text.
fn numbers(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let t: Vec<char> = normalize(text).chars().collect();
    let (mut houses, mut rooms) = (BTreeSet::new(), BTreeSet::new());
    let mut i = 0;
    while i < t.len() {
        if !t[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < t.len() && t[i].is_ascii_digit() {
            i += 1;
        }
        let n: String = t[start..i].iter().collect();
        let before = start.checked_sub(1).map(|j| t[j]);
        match t.get(i) {
            Some('号') => {
                houses.insert(n);
            }
            Some('室') => {
                rooms.insert(n);
            }
            _ if before == Some('号') && (3..=4).contains(&n.len()) => {
                rooms.insert(n);
            }
            _ => {}
        }
    }
    (houses, rooms)
}

/// Some(numbers of a, numbers of b) when both texts give house (or room) numbers and none agree.
fn numbers_conflict(a: &str, b: &str) -> Option<(String, String)> {
    let (ha, ra) = numbers(a);
    let (hb, rb) = numbers(b);
    let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join("、");
    if !ha.is_empty() && !hb.is_empty() && ha.is_disjoint(&hb) {
        return Some((format!("{}号", join(&ha)), format!("{}号", join(&hb))));
    }
    if !ra.is_empty() && !rb.is_empty() && ra.is_disjoint(&rb) {
        return Some((format!("{}室", join(&ra)), format!("{}室", join(&rb))));
    }
    None
}

fn display_key(key: &str) -> &str {
    key.strip_prefix("compound:")
        .or_else(|| key.strip_prefix("addr:"))
        .unwrap_or(key)
}

fn zh_hours(h: f64) -> String {
    if h >= 48.0 && (h / 24.0).fract() == 0.0 {
        format!("{}天", h / 24.0)
    } else if h >= 48.0 {
        format!("约{:.0}天", h / 24.0)
    } else {
        format!("{:.0}小时", h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read() {
        let (h, r) = numbers("新泾五村38号601装修，天山二村12号楼302室");
        assert_eq!(h.into_iter().collect::<Vec<_>>(), vec!["12", "38"]);
        assert_eq!(r.into_iter().collect::<Vec<_>>(), vec!["302", "601"]);
        assert!(numbers_conflict("38号601", "38号302").is_some());
        assert!(numbers_conflict("新泾五村38号601", "剑河路599弄38号601").is_none());
    }
}
