//! Classification: accuracy measured honestly, and behaviour.
//!
//! Accuracy: train on `data/corpus/classify.tsv` only; report top-1 accuracy on the held-out
//! `data/corpus/classify-dev.tsv`, 5-fold cross-validation on train, and "pruned" 5-fold
//! cross-validation (phrases that occur only in the held-out fold removed from the catalogue, since
//! the phrases were written while reading the training corpus). Print the figures with
//! `cargo test -p jingzhi-domain --release --test classification -- --nocapture`.
//! The hyper-parameter search (pruned CV on train only) is the ignored test `param_search`:
//! `cargo test -p jingzhi-domain --release --test classification -- --ignored --nocapture`.

use jingzhi_domain::classify::{
    Classifier, DEFAULT_DEV_TSV, DEFAULT_TRAIN_TSV, Hints, Labelled, Params, default_classifier, parse_corpus_tsv,
};
use jingzhi_domain::matter::{Catalogue, default_catalogue};
use jingzhi_domain::org::DepartmentKind;
use jingzhi_domain::search::normalize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Measured dev accuracy (docs/classification.md) is 127/133 = 95.5%; the floor leaves a margin of
/// two texts so that a regression fails but harmless float noise does not.
const DEV_ACCURACY_FLOOR: f64 = 0.94;
/// Measured 5-fold CV on train: 98.3%; pruned 5-fold CV: 93.1%.
const CV_ACCURACY_FLOOR: f64 = 0.97;
const PRUNED_CV_ACCURACY_FLOOR: f64 = 0.915;

fn train_set() -> Vec<Labelled> {
    parse_corpus_tsv(DEFAULT_TRAIN_TSV).unwrap()
}

fn dev_set() -> Vec<Labelled> {
    parse_corpus_tsv(DEFAULT_DEV_TSV).unwrap()
}

fn trained() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| Classifier::train(&default_catalogue(), &train_set()))
}

fn accuracy(clf: &Classifier, data: &[Labelled]) -> (usize, usize, Vec<String>) {
    let mut ok = 0;
    let mut errors = Vec::new();
    for (code, text) in data {
        let c = clf.classify(text);
        if &c.matter.code == code {
            ok += 1;
        } else {
            errors.push(format!("  {code} → {} ({:.2}): {text}", c.matter.code, c.confidence));
        }
    }
    (ok, data.len(), errors)
}

/// Stratified k-fold: the i-th text of each matter goes to fold i mod k.
fn folds(data: &[Labelled], k: usize) -> Vec<usize> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    data.iter()
        .map(|(code, _)| {
            let n = seen.entry(code.as_str()).or_insert(0);
            *n += 1;
            (*n - 1) % k
        })
        .collect()
}

/// The catalogue without the phrases that occur in none of the `seen` texts: the phrases were
/// written while reading the training corpus, so a phrase found only in a held-out fold may have
/// been learnt from it. Pruning them makes cross-validation an honest (pessimistic) estimate of
/// how the rules do on texts their author never saw.
fn pruned_catalogue(cat: &Catalogue, seen: &[Labelled]) -> Catalogue {
    let texts: Vec<String> = seen.iter().map(|(_, t)| normalize(t)).collect();
    let keep = |p: &serde_json::Value| {
        let phrase = normalize(p["text"].as_str().unwrap());
        texts.iter().any(|t| t.contains(&phrase))
    };
    let mut v = serde_json::to_value(cat).unwrap();
    for m in v["matters"].as_array_mut().unwrap() {
        for key in ["phrases", "negative_phrases"] {
            m[key].as_array_mut().unwrap().retain(&keep);
        }
    }
    for t in v["out_of_remit"].as_array_mut().unwrap() {
        t["phrases"].as_array_mut().unwrap().retain(&keep);
    }
    serde_json::from_value(v).unwrap()
}

/// k-fold cross-validation: (correct, total, errors).
fn cross_validate(
    cat: &Catalogue,
    data: &[Labelled],
    k: usize,
    params: &Params,
    prune: bool,
) -> (usize, usize, Vec<String>) {
    let f = folds(data, k);
    let mut ok = 0;
    let mut errors = Vec::new();
    for fold in 0..k {
        let split = |inside: bool| -> Vec<Labelled> {
            data.iter()
                .zip(&f)
                .filter(|(_, x)| (**x == fold) == inside)
                .map(|(d, _)| d.clone())
                .collect()
        };
        let (train, test) = (split(false), split(true));
        let cat = if prune {
            pruned_catalogue(cat, &train)
        } else {
            cat.clone()
        };
        let clf = Classifier::train_with(&cat, &train, params);
        let (o, _, e) = accuracy(&clf, &test);
        ok += o;
        errors.extend(e);
    }
    (ok, data.len(), errors)
}

fn pct(ok: usize, n: usize) -> f64 {
    ok as f64 * 100.0 / n as f64
}

#[test]
fn dev_accuracy_trained_on_train_only() {
    let cat = default_catalogue();
    let train = train_set();
    let dev = dev_set();
    let clf = trained();
    assert_eq!(clf.trained_on(), train.len());
    assert_eq!(clf.ignored(), 0);
    let (ok, n, errors) = accuracy(clf, &dev);
    println!("dev top-1 accuracy: {ok}/{n} = {:.1}%", pct(ok, n));
    for e in &errors {
        println!("{e}");
    }
    // Ablations, for the docs.
    let base = Params::default();
    let ablations = [
        (
            "rules only (no model)",
            Params {
                epochs: 0,
                rule_weight: 1.0,
                phrase_docs: 0.0,
                ..base.clone()
            },
        ),
        (
            "model only (β = 0)",
            Params {
                rule_weight: 0.0,
                ..base.clone()
            },
        ),
        (
            "no phrase texts in training",
            Params {
                phrase_docs: 0.0,
                ..base.clone()
            },
        ),
        (
            "其他 as one class",
            Params {
                split_other: false,
                ..base.clone()
            },
        ),
    ];
    for (name, p) in ablations {
        let (o, n, _) = accuracy(&Classifier::train_with(&cat, &train, &p), &dev);
        println!("dev accuracy, {name}: {o}/{n} = {:.1}%", pct(o, n));
    }
    let acc = ok as f64 / n as f64;
    assert!(
        acc >= DEV_ACCURACY_FLOOR,
        "dev accuracy {acc:.3} fell below {DEV_ACCURACY_FLOOR}"
    );
}

#[test]
fn five_fold_cross_validation_on_train() {
    let cat = default_catalogue();
    let train = train_set();
    let (ok, n, _) = cross_validate(&cat, &train, 5, &Params::default(), false);
    println!("5-fold CV top-1 accuracy on train: {ok}/{n} = {:.1}%", pct(ok, n));
    let (pok, pn, errors) = cross_validate(&cat, &train, 5, &Params::default(), true);
    println!(
        "pruned 5-fold CV top-1 accuracy on train: {pok}/{pn} = {:.1}%",
        pct(pok, pn)
    );
    if std::env::var_os("CV_ERRORS").is_some() {
        errors.iter().for_each(|e| println!("{e}"));
    }
    assert!(ok as f64 / n as f64 >= CV_ACCURACY_FLOOR, "CV {ok}/{n}");
    assert!(
        pok as f64 / pn as f64 >= PRUNED_CV_ACCURACY_FLOOR,
        "pruned CV {pok}/{pn}"
    );
}

#[test]
#[ignore = "grid search; run in release with --ignored --nocapture"]
fn param_search() {
    let cat = default_catalogue();
    let train = train_set();
    let base = Params::default();
    let mut grid: Vec<(String, Params)> = Vec::new();
    for ngram_max in [1, 2, 3] {
        for rule_weight in [0.0, 0.1, 0.25, 0.5, 1.0] {
            for phrase_docs in [0.0, 0.3, 1.0] {
                grid.push((
                    format!("n≤{ngram_max} β={rule_weight} phrase_docs={phrase_docs}"),
                    Params {
                        ngram_max,
                        rule_weight,
                        phrase_docs,
                        ..base.clone()
                    },
                ));
            }
        }
    }
    grid.push((
        "其他 as one class".into(),
        Params {
            split_other: false,
            ..base.clone()
        },
    ));
    for (lr, epochs, l2) in [
        (2.0, 30, 1e-4),
        (8.0, 30, 1e-4),
        (4.0, 60, 1e-4),
        (4.0, 30, 0.0),
        (4.0, 30, 1e-3),
    ] {
        grid.push((
            format!("lr={lr} epochs={epochs} λ={l2}"),
            Params {
                learning_rate: lr,
                epochs,
                l2,
                ..base.clone()
            },
        ));
    }
    for (name, p) in grid {
        let (ok, n, _) = cross_validate(&cat, &train, 5, &p, true);
        let (ok2, _, _) = cross_validate(&cat, &train, 5, &p, false);
        println!("{name}: pruned CV {:.1}%, CV {:.1}%", pct(ok, n), pct(ok2, n));
    }
}

#[test]
fn fumes_are_catering_with_the_phrase_as_reason() {
    let c = trained().classify("楼下饭店油烟太大了，窗户都不敢开，仙霞路");
    assert_eq!(c.matter.code, "catering_fumes");
    assert_eq!(c.matter.name, "餐饮油烟");
    assert!(c.reasons.iter().any(|r| r.starts_with("命中“油烟”")), "{:?}", c.reasons);
    assert!(c.confidence > 0.5 && c.confidence <= 1.0);
    assert!(c.out_of_remit.is_none());
}

#[test]
fn out_of_remit_texts_come_back_as_other_with_a_department() {
    let cases = [
        ("物业费每年都涨，服务越来越差，物业公司乱收费", DepartmentKind::Housing),
        ("公交车班次太少，早上等车要半个小时", DepartmentKind::Transport),
        ("楼上邻居每天半夜跺脚，吵得睡不着", DepartmentKind::PublicSecurity),
    ];
    for (text, dept) in cases {
        let c = trained().classify(text);
        assert_eq!(c.matter.code, "other", "{text}: {c:?}");
        let o = c
            .out_of_remit
            .as_ref()
            .unwrap_or_else(|| panic!("{text}: no out-of-remit topic"));
        assert_eq!(o.suggested_department, dept, "{text}");
        assert!(!o.reply.is_empty() && !o.topic.is_empty());
        assert!(c.reasons.iter().any(|r| r.contains("非城管职责")), "{:?}", c.reasons);
    }
}

#[test]
fn alternatives_are_ordered_and_exclude_the_suggestion() {
    for (_, text) in dev_set().iter().take(40) {
        let c = trained().classify(text);
        let mut last = c.confidence;
        let mut total = c.confidence;
        for a in &c.alternatives {
            assert_ne!(a.code, c.matter.code);
            assert!(a.confidence <= last + 1e-9, "{text}");
            last = a.confidence;
            total += a.confidence;
        }
        assert!(c.alternatives.len() <= 3);
        assert!(total <= 1.0 + 1e-2, "{text}: probabilities sum to {total}");
    }
}

#[test]
fn json_has_the_api_shape() {
    let v = serde_json::to_value(trained().classify("共享单车堆满了人行道")).unwrap();
    assert_eq!(v["matter"]["code"], "shared_bike_parking");
    assert_eq!(v["matter"]["name"], "共享单车停放");
    assert!(v["confidence"].as_f64().unwrap() > 0.0);
    assert!(v["reasons"].as_array().unwrap().iter().all(|r| r.is_string()));
    assert!(
        v["alternatives"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["code"].is_string() && a["confidence"].is_number())
    );
}

#[test]
fn denied_phrases_do_not_count_but_questions_do() {
    let c = trained().classify("不是油烟的问题，是门口有三轮车摆摊卖水果");
    assert_ne!(c.matter.code, "catering_fumes", "{c:?}");
    assert!(
        c.reasons.iter().any(|r| r.contains("“油烟”在否定语境中")),
        "{:?}",
        c.reasons
    );
    // 是不是 asks; it does not deny.
    let q = trained().classify("隔壁在院子里搭了一个彩钢板房，这个是不是违建");
    assert_eq!(q.matter.code, "illegal_construction");
    assert!(q.reasons.iter().any(|r| r.starts_with("命中“违建”")), "{:?}", q.reasons);
}

#[test]
fn full_width_text_is_folded() {
    let half = trained().classify("楼下KTV每天唱到半夜两点");
    let full = trained().classify("楼下ＫＴＶ每天唱到半夜两点");
    assert_eq!(half.matter, full.matter);
    assert!(full.reasons.iter().any(|r| r.contains("KTV")), "{:?}", full.reasons);
}

#[test]
fn training_is_deterministic() {
    let cat = default_catalogue();
    let start = std::time::Instant::now();
    let a = Classifier::train(&cat, &train_set());
    println!("training on {} texts took {:?}", a.trained_on(), start.elapsed());
    let b = Classifier::train(&cat, &train_set());
    for (_, text) in dev_set() {
        assert_eq!(a.classify(&text), b.classify(&text), "{text}");
    }
}

#[test]
fn corrections_are_learnt() {
    // A made-up word the catalogue and corpus do not know.
    let text = "小区门口的咕噜咕噜又堆成山了";
    let before = trained().classify(text);
    assert_ne!(before.matter.code, "shared_bike_parking");
    let mut data = train_set();
    for t in [
        "咕噜咕噜倒了一地",
        "路口咕噜咕噜太多了",
        "咕噜咕噜挡住路了",
        "地铁站门口全是咕噜咕噜",
    ] {
        data.push(("shared_bike_parking".to_string(), t.to_string()));
    }
    data.push(("no_such_matter".to_string(), "忽略我".to_string()));
    let clf = Classifier::train(&default_catalogue(), &data);
    assert_eq!(clf.ignored(), 1);
    assert_eq!(clf.classify(text).matter.code, "shared_bike_parking");
}

#[test]
fn hints_raise_the_matters_they_name() {
    let text = "有人在那里放了很多东西";
    let clf = trained();
    let plain = clf.classify(text);
    let hinted = clf.classify_with(
        text,
        &Hints {
            likely_matters: vec!["common_area_occupation".into()],
            in_compound: Some(true),
            ..Hints::default()
        },
    );
    let p = |c: &jingzhi_domain::classify::Classification| {
        if c.matter.code == "common_area_occupation" {
            c.confidence
        } else {
            c.alternatives
                .iter()
                .find(|a| a.code == "common_area_occupation")
                .map_or(0.0, |a| a.confidence)
        }
    };
    assert!(p(&hinted) > p(&plain), "{plain:?}\n{hinted:?}");
    assert_eq!(clf.classify_with(text, &Hints::default()), plain);
}

#[test]
fn corpus_parser_reports_bad_lines() {
    assert_eq!(parse_corpus_tsv("matter_code\ttext\nother\t你好\n").unwrap().len(), 1);
    let e = parse_corpus_tsv("matter_code\ttext\nother 你好\n").unwrap_err();
    assert!(e.contains("第2行"), "{e}");
}

#[test]
fn the_shipped_classifier_uses_train_and_dev() {
    let clf = default_classifier();
    assert_eq!(clf.trained_on(), train_set().len() + dev_set().len());
}

#[test]
fn rules_alone_work_without_training_data_and_empty_text_is_safe() {
    let clf = Classifier::train(&default_catalogue(), &[]);
    assert_eq!(clf.trained_on(), 0);
    assert_eq!(clf.classify("楼下饭店油烟扰民").matter.code, "catering_fumes");
    let empty = trained().classify("");
    assert!(empty.confidence > 0.0 && empty.confidence <= 1.0);
    assert!(!empty.reasons.is_empty());
}
