//! The matter catalogue: the shipped file, and the Chinese errors of a broken one.

use jingzhi_domain::matter::*;
use jingzhi_domain::org::DepartmentKind;

fn errors_of(text: &str) -> String {
    Catalogue::from_toml(text).unwrap_err().to_string()
}

#[test]
fn the_shipped_catalogue_has_exactly_the_product_map_names() {
    let c = default_catalogue();
    let names: Vec<&str> = c.matters().iter().map(|m| m.name.as_str()).collect();
    let mut expected = MATTER_NAMES.to_vec();
    let mut got = names.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    let mut codes: Vec<&str> = c.matters().iter().map(|m| m.code.as_str()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 19);
    assert_eq!(c.other().code, OTHER_CODE);
    assert!(c.matters().iter().all(|m| m.clock_rules.is_empty()));
}

#[test]
fn every_field_of_the_file_is_kept() {
    let c = default_catalogue();
    let lb = c.get("load_bearing_damage").unwrap();
    assert_eq!(
        lb.fines.main,
        Some(YuanRange {
            min: 10_000,
            max: 100_000
        })
    );
    assert_eq!(
        lb.fines.serious,
        Some(YuanRange {
            min: 100_000,
            max: 200_000
        })
    );
    assert!(!lb.confirmed && lb.confirmed_note.is_some());
    assert!(lb.phrases.iter().any(|p| p.text == "承重墙" && p.weight == 5));
    assert!(lb.negative_phrases.iter().any(|p| p.text == "装修噪音"));
    assert!(!lb.evidence_checklist.is_empty());
    assert_eq!(lb.discretion_levels.len(), 4);
    assert_eq!(lb.discretion_levels[0].level, DiscretionLevel::Slight);

    let ws = c.get("waste_sorting").unwrap();
    assert!(ws.order_correction_first);
    assert_eq!(
        ws.fines.range_for(PartyType::Person),
        Some(YuanRange { min: 50, max: 200 })
    );
    assert_eq!(
        ws.fines.range_for(PartyType::Org),
        Some(YuanRange {
            min: 5_000,
            max: 50_000
        })
    );
    assert!(ws.discretion_levels.iter().any(|b| b.party == Some(PartyType::Org)));

    let g = c.get("greenery_damage").unwrap();
    assert!(g.fines.main.is_none() && g.fines.formula.as_deref().unwrap().contains("3–5倍"));
    assert!(matches!(g.discretion_levels[0].amount, BandAmount::Factor { min, .. } if min == 3.0));
    // A variant inherits what it does not say.
    let tf = g.variant("tree_felling").unwrap();
    assert!(!tf.confirmed);
    assert_eq!(tf.remit, Remit::Chengguan);

    let gr = c.get("group_rental").unwrap();
    assert_eq!(gr.remit, Remit::Department(DepartmentKind::Housing));
    assert_eq!(
        gr.variant("public_security_fire").unwrap().remit,
        Remit::Department(DepartmentKind::PublicSecurity)
    );

    let ps = c.topic("property_service").unwrap();
    assert_eq!(ps.suggested_department, DepartmentKind::Housing);
    assert!(ps.reply_template.contains("物业"));
    assert!(ps.phrases.iter().any(|p| p.text == "物业费"));
}

#[test]
fn remit_serialises_as_its_code() {
    assert_eq!(serde_json::to_string(&Remit::Chengguan).unwrap(), "\"chengguan\"");
    let r: Remit = serde_json::from_str("\"housing\"").unwrap();
    assert_eq!(r, Remit::Department(DepartmentKind::Housing));
    assert_eq!(r.label(), "房管");
}

#[test]
fn broken_catalogues_are_refused_in_chinese_naming_the_entry() {
    // Duplicate code.
    let dup = DEFAULT_MATTERS_TOML.replacen("code = \"load_bearing_damage\"", "code = \"illegal_construction\"", 1);
    assert!(
        errors_of(&dup).contains("事项 illegal_construction（破坏房屋承重结构）：代码重复"),
        "{}",
        errors_of(&dup)
    );
    // A renamed matter: the product-map name is missing and the new one is not allowed.
    let renamed = DEFAULT_MATTERS_TOML.replacen("name = \"餐饮油烟\"", "name = \"油烟扰民\"", 1);
    let e = errors_of(&renamed);
    assert!(e.contains("事项目录缺少“餐饮油烟”"), "{e}");
    assert!(e.contains("事项 catering_fumes（油烟扰民）：名称不在"), "{e}");
    // Weight out of range.
    let heavy = DEFAULT_MATTERS_TOML.replacen("\"油烟\" = 5", "\"油烟\" = 9", 1);
    assert!(errors_of(&heavy).contains("分类短语“油烟”的权重9不在1至5之间"));
    // Unknown remit and department.
    let remit = DEFAULT_MATTERS_TOML.replacen("remit = \"housing\"", "remit = \"police\"", 1);
    assert!(errors_of(&remit).contains("事项 group_rental（群租）：职责归属“police”无法识别"));
    let dept = DEFAULT_MATTERS_TOML.replacen(
        "suggested_department = \"transport\"",
        "suggested_department = \"bus\"",
        1,
    );
    assert!(
        errors_of(&dept).contains("非城管职责事项 bus_taxi"),
        "{}",
        errors_of(&dept)
    );
    // A band outside the legal range.
    let band = DEFAULT_MATTERS_TOML.replacen(
        "max_yuan = 100000\nconditions = \"面积50㎡以上",
        "max_yuan = 900000\nconditions = \"面积50㎡以上",
        1,
    );
    assert!(errors_of(&band).contains("超出法定区间"), "{}", errors_of(&band));
    // Syntax errors carry the line.
    assert!(errors_of("[[matter]]\ncode = ").starts_with("事项目录第2行格式错误"));
    // Unknown fields are typos, not silently ignored.
    let typo = DEFAULT_MATTERS_TOML.replacen("order_correction_first = false", "order_correction_frist = false", 1);
    assert!(errors_of(&typo).contains("格式错误"));
}

#[test]
fn clock_rules_may_be_given_per_matter() {
    let text = DEFAULT_MATTERS_TOML.replacen(
        "code = \"illegal_construction\"",
        "code = \"illegal_construction\"\nclock_rules = [\"illegal_building_visit_24h\", \"illegal_building_feedback_1m\"]",
        1,
    );
    let c = Catalogue::from_toml(&text).unwrap();
    assert_eq!(c.get("illegal_construction").unwrap().clock_rules.len(), 2);
    let mut c = default_catalogue();
    assert!(c.set_clock_rules("gas_safety", vec!["report_feedback_5wd".into()]));
    assert!(!c.set_clock_rules("no_such", vec![]));
    assert_eq!(
        c.get("gas_safety").unwrap().clock_rules,
        vec!["report_feedback_5wd".to_string()]
    );
}
