//! Duplicate detection measured on `data/corpus/duplicates.tsv` (220 labelled pairs), and behaviour.
//! Print the figures with `cargo test -p jingzhi-domain --test duplicates -- --nocapture`.
//!
//! Each pair becomes two [`Report`]s: the earlier one (text_a, matter_a) as the open clue at a
//! point in Changning, the later one (text_b, matter_b) received `hours_apart` later at a point
//! `meters_apart` north of it, with no place key (the file has none). Prediction = whether
//! [`find_repeat`] links the later to the earlier.

use jiff::{SignedDuration, Timestamp};
use jingzhi_domain::classify::{Classifier, parse_corpus_tsv};
use jingzhi_domain::dedup::{DedupConfig, Report, find_repeat, score_pair, text_similarity};
use jingzhi_domain::geo::{EARTH_RADIUS_M, Wgs84};
use jingzhi_domain::matter::default_catalogue;

const PAIRS_TSV: &str = include_str!("../../../data/corpus/duplicates.tsv");

/// Measured F1 on all 220 pairs with the default configuration (docs/duplicates.md), minus a
/// margin; and the 5-fold cross-validated F1 with the threshold re-chosen inside each fold.
const F1_FLOOR: f64 = 0.94;
const CV_F1_FLOOR: f64 = 0.94;

struct Pair {
    dup: bool,
    old: Report,
    new: Report,
}

fn t0() -> Timestamp {
    "2026-03-02T01:00:00Z".parse().unwrap()
}

fn probs(text: &str) -> Vec<(String, f64)> {
    static CLF: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();
    let clf = CLF.get_or_init(|| {
        let train = parse_corpus_tsv(jingzhi_domain::classify::DEFAULT_TRAIN_TSV).unwrap();
        Classifier::train(&default_catalogue(), &train)
    });
    let c = clf.classify(text);
    std::iter::once((c.matter.code, c.confidence))
        .chain(c.alternatives.into_iter().map(|a| (a.code, a.confidence)))
        .collect()
}

fn pairs_with(with_probs: bool) -> Vec<Pair> {
    let probs = |t: &str| if with_probs { probs(t) } else { Vec::new() };
    let origin = Wgs84::new(121.4000, 31.2100);
    let metres_per_degree = std::f64::consts::PI * EARTH_RADIUS_M / 180.0;
    PAIRS_TSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 7, "{l}");
            let hours: i64 = f[1].parse().unwrap();
            let metres: f64 = f[2].parse().unwrap();
            Pair {
                dup: match f[0] {
                    "dup" => true,
                    "distinct" => false,
                    other => panic!("label {other}"),
                },
                old: Report {
                    matter: f[3].into(),
                    text: f[5].into(),
                    point: Some(origin),
                    place_key: None,
                    received_at: t0(),
                    matter_probs: probs(f[5]),
                },
                new: Report {
                    matter: f[4].into(),
                    text: f[6].into(),
                    point: Some(Wgs84::new(origin.lng, origin.lat + metres / metres_per_degree)),
                    place_key: None,
                    received_at: t0() + SignedDuration::from_hours(hours),
                    matter_probs: probs(f[6]),
                },
            }
        })
        .collect()
}

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
    tn: usize,
}

impl Counts {
    fn add(&mut self, truth: bool, predicted: bool) {
        match (truth, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn evaluate(pairs: &[&Pair], cfg: &DedupConfig) -> (Counts, Vec<String>) {
    let mut c = Counts::default();
    let mut errors = Vec::new();
    for p in pairs {
        let predicted = find_repeat(&p.new, std::slice::from_ref(&p.old), cfg).is_some();
        c.add(p.dup, predicted);
        if predicted != p.dup {
            let s = score_pair(&p.new, &p.old, cfg);
            errors.push(format!(
                "  {} predicted {} (score {:.2}, sim {:.2}): {} | {}",
                if p.dup { "dup" } else { "distinct" },
                if predicted { "dup" } else { "distinct" },
                s.score,
                s.text_similarity,
                p.old.text,
                p.new.text
            ));
        }
    }
    (c, errors)
}

const THRESHOLDS: [f64; 15] = [
    0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0,
];

/// 5-fold cross-validation (stratified by label): the threshold is chosen on four folds (best F1,
/// ties to the value closest to the default) and counted on the fifth.
fn cross_validated(all: &[Pair], base: &DedupConfig) -> Counts {
    let mut fold_of = Vec::new();
    let (mut nd, mut nn) = (0, 0);
    for p in all {
        let n = if p.dup { &mut nd } else { &mut nn };
        fold_of.push(*n % 5);
        *n += 1;
    }
    let mut total = Counts::default();
    for fold in 0..5 {
        let train: Vec<&Pair> = all
            .iter()
            .zip(&fold_of)
            .filter(|(_, f)| **f != fold)
            .map(|(p, _)| p)
            .collect();
        let test: Vec<&Pair> = all
            .iter()
            .zip(&fold_of)
            .filter(|(_, f)| **f == fold)
            .map(|(p, _)| p)
            .collect();
        let mut best = (f64::NEG_INFINITY, base.threshold);
        for t in THRESHOLDS {
            let f1 = evaluate(
                &train,
                &DedupConfig {
                    threshold: t,
                    ..base.clone()
                },
            )
            .0
            .f1();
            let closer = (t - base.threshold).abs() < (best.1 - base.threshold).abs();
            if f1 > best.0 + 1e-12 || ((f1 - best.0).abs() < 1e-12 && closer) {
                best = (f1, t);
            }
        }
        let (c, _) = evaluate(
            &test,
            &DedupConfig {
                threshold: best.1,
                ..base.clone()
            },
        );
        total.tp += c.tp;
        total.fp += c.fp;
        total.fn_ += c.fn_;
        total.tn += c.tn;
    }
    total
}

#[test]
fn f1_on_the_labelled_pairs() {
    for with_probs in [true, false] {
        let all = pairs_with(with_probs);
        assert_eq!(all.len(), 220);
        let refs: Vec<&Pair> = all.iter().collect();
        let (c, errors) = evaluate(&refs, &DedupConfig::default());
        let how = if with_probs {
            "with the classifier's matter probabilities"
        } else {
            "with the matter codes only"
        };
        println!(
            "220 pairs, default config, {how}: precision {:.3}, recall {:.3}, F1 {:.3} (tp {}, fp {}, fn {}, tn {})",
            c.precision(),
            c.recall(),
            c.f1(),
            c.tp,
            c.fp,
            c.fn_,
            c.tn
        );
        for e in &errors {
            println!("{e}");
        }
        let cv = cross_validated(&all, &DedupConfig::default());
        println!(
            "5-fold CV (threshold chosen per fold), {how}: precision {:.3}, recall {:.3}, F1 {:.3}",
            cv.precision(),
            cv.recall(),
            cv.f1()
        );
        assert!(c.f1() >= F1_FLOOR, "F1 {:.3} below {F1_FLOOR} ({how})", c.f1());
        assert!(
            cv.f1() >= CV_F1_FLOOR,
            "CV F1 {:.3} below {CV_F1_FLOOR} ({how})",
            cv.f1()
        );
    }
}

#[test]
#[ignore = "sensitivity of F1 to the configuration; run with --ignored --nocapture"]
fn sensitivity() {
    for with_probs in [true, false] {
        println!("— matter probabilities from the classifier: {with_probs}");
        let all = pairs_with(with_probs);
        let refs: Vec<&Pair> = all.iter().collect();
        let base = DedupConfig::default();
        let mut grid: Vec<(String, DedupConfig)> = vec![("default".into(), base.clone())];
        for radius_m in [100.0, 200.0, 250.0, 300.0] {
            grid.push((
                format!("radius {radius_m} m"),
                DedupConfig {
                    radius_m,
                    ..base.clone()
                },
            ));
        }
        for threshold in [0.5, 0.6, 0.8, 0.9] {
            grid.push((
                format!("threshold {threshold}"),
                DedupConfig {
                    threshold,
                    ..base.clone()
                },
            ));
        }
        for w_text in [0.5, 1.5, 2.0] {
            grid.push((format!("w_text {w_text}"), DedupConfig { w_text, ..base.clone() }));
        }
        for w_problem in [0.2, 0.6] {
            grid.push((
                format!("w_problem {w_problem}"),
                DedupConfig {
                    w_problem,
                    ..base.clone()
                },
            ));
        }
        for w_related in [0.0, 0.1, 0.3] {
            grid.push((
                format!("w_related {w_related}"),
                DedupConfig {
                    w_related,
                    ..base.clone()
                },
            ));
        }
        grid.push((
            "no other-object cue".into(),
            DedupConfig {
                w_other: 0.0,
                ..base.clone()
            },
        ));
        grid.push((
            "no number check".into(),
            DedupConfig {
                w_numbers: 0.0,
                ..base.clone()
            },
        ));
        for (name, cfg) in grid {
            let (c, _) = evaluate(&refs, &cfg);
            let cv = cross_validated(&all, &cfg);
            println!(
                "{name}: P {:.3} R {:.3} F1 {:.3}; CV F1 {:.3}",
                c.precision(),
                c.recall(),
                c.f1(),
                cv.f1()
            );
        }
    }
}

fn report(matter: &str, text: &str, point: Option<Wgs84>, key: Option<&str>, hours: i64) -> Report {
    Report {
        matter: matter.into(),
        text: text.into(),
        point,
        place_key: key.map(str::to_string),
        received_at: t0() + SignedDuration::from_hours(hours),
        matter_probs: Vec::new(),
    }
}

#[test]
fn the_best_candidate_is_chosen_with_reasons() {
    let here = Wgs84::new(121.4150, 31.2140);
    let far = Wgs84::new(121.4250, 31.2140); // ~950 m east
    let open = vec![
        report("catering_fumes", "威宁路某面馆油烟直排居民窗户", Some(far), None, 0),
        report(
            "catering_fumes",
            "威宁路200弄门口面馆没装净化器，排烟管在我卧室窗下",
            Some(here),
            None,
            0,
        ),
        report(
            "gas_safety",
            "威宁路200弄门口面馆液化气钢瓶放在门外",
            Some(here),
            None,
            10,
        ),
    ];
    let new = report(
        "catering_fumes",
        "市民来电反映：威宁路面馆油烟直排，熏得窗户都不敢开",
        Some(here),
        None,
        30,
    );
    let r = find_repeat(&new, &open, &DedupConfig::default()).expect("a repeat");
    assert_eq!(r.index, 1);
    assert!(
        r.score.reasons.iter().any(|x| x.starts_with("相距约0米")),
        "{:?}",
        r.score.reasons
    );
    assert!(r.score.reasons.contains(&"事项相同".to_string()));
    // The far one fails the radius gate even though its text is close.
    let far_score = score_pair(&new, &open[0], &DedupConfig::default());
    assert!(!far_score.eligible && !far_score.is_repeat);
    assert!(far_score.reasons.iter().any(|x| x.contains("超出150米范围")));
}

#[test]
fn window_radius_and_keys_are_configurable() {
    let a = report(
        "street_vending",
        "虹古路马路市场占满人行道",
        None,
        Some("addr:虹古路176弄"),
        0,
    );
    let b = report(
        "street_vending",
        "虹古路马路菜场又出来了，占满人行道",
        None,
        Some("addr:虹古路176弄"),
        24 * 40,
    );
    let cfg = DedupConfig::default();
    let s = score_pair(&b, &a, &cfg);
    assert!(
        s.same_place_key && !s.is_repeat,
        "40 days is outside the 30-day window: {s:?}"
    );
    assert!(s.reasons.iter().any(|r| r.contains("超出30天窗口")), "{:?}", s.reasons);
    let wide = DedupConfig {
        window_hours: 60.0 * 24.0,
        ..cfg.clone()
    };
    assert!(score_pair(&b, &a, &wide).is_repeat);
    // Different place keys and no points: not the same place.
    let c = report(
        "street_vending",
        "虹古路马路市场占满人行道",
        None,
        Some("compound:cp-0027"),
        1,
    );
    assert!(!score_pair(&c, &a, &cfg).eligible);
    // Radius: 120 m apart is inside the default 150 m but outside a 100 m radius.
    let p = Wgs84::new(121.4, 31.21);
    let q = Wgs84::new(121.4, 31.21 + 120.0 / 111_195.0);
    let x = report("dust_pollution", "天山路工地灰尘很大", Some(p), None, 0);
    let y = report("dust_pollution", "天山路工地扬尘，灰尘很大", Some(q), None, 5);
    assert!(score_pair(&y, &x, &cfg).eligible);
    assert!(!score_pair(&y, &x, &DedupConfig { radius_m: 100.0, ..cfg }).eligible);
}

#[test]
fn another_object_and_different_numbers_are_not_repeats() {
    let p = Some(Wgs84::new(121.4, 31.21));
    let a = report(
        "renovation_violation",
        "新泾五村38号601装修没登记，中午也敲",
        p,
        None,
        0,
    );
    let b = report(
        "renovation_violation",
        "新泾五村38号302又开始装修了，早上七点就电钻",
        p,
        None,
        72,
    );
    let s = score_pair(&b, &a, &DedupConfig::default());
    assert!(
        !s.is_repeat && s.reasons.iter().any(|r| r.starts_with("门牌或房号不同")),
        "{s:?}"
    );
    let c = report("catering_fumes", "天山路另一家面馆油烟很大", p, None, 5);
    let d = report("catering_fumes", "天山路面馆油烟很大", p, None, 0);
    let s = score_pair(&c, &d, &DedupConfig::default());
    assert!(
        !s.is_repeat && s.reasons.iter().any(|r| r.contains("“另一家”")),
        "{s:?}"
    );
}

#[test]
fn similarity_ignores_boilerplate_and_width() {
    let a = text_similarity("市民来电反映：天山路工地夜间打桩", "天山路工地夜间打桩");
    assert!((a - 1.0).abs() < 1e-9, "{a}");
    assert!((text_similarity("ＫＴＶ噪音", "ktv噪音") - 1.0).abs() < 1e-9);
    assert_eq!(text_similarity("油烟", "共享单车"), 0.0);
    assert_eq!(text_similarity("", "共享单车"), 0.0);
}

/// `find_repeat` scores the candidates without their reasons and explains only the one it picks:
/// that choice and its explanation are those of scoring every pair in full.
#[test]
fn find_repeat_explains_its_choice_as_score_pair_does() {
    let cfg = DedupConfig::default();
    let pairs = pairs_with(true);
    // Each new report against a dozen candidates, its own partner among them.
    let mut chosen = 0;
    for (i, p) in pairs.iter().enumerate() {
        let candidates: Vec<Report> = (0..12).map(|k| pairs[(i + k * 7) % pairs.len()].old.clone()).collect();
        let full: Vec<_> = candidates.iter().map(|c| score_pair(&p.new, c, &cfg)).collect();
        let expected = full
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_repeat)
            .fold(None::<usize>, |best, (k, s)| match best {
                Some(b)
                    if full[b].score > s.score
                        || (full[b].score == s.score && candidates[b].received_at <= candidates[k].received_at) =>
                {
                    Some(b)
                }
                _ => Some(k),
            });
        let got = find_repeat(&p.new, &candidates, &cfg);
        assert_eq!(got.as_ref().map(|r| r.index), expected, "pair {i}");
        if let (Some(r), Some(k)) = (got, expected) {
            assert_eq!(r.score, full[k], "pair {i}");
            assert!(!r.score.reasons.is_empty());
            chosen += 1;
        }
    }
    assert!(chosen > 50, "only {chosen} new reports found a repeat");
}
