//! The service list and service definitions, from the matter catalogue: one service per matter in
//! 城管's remit, plus 其他; Chinese names, groups and what-to-report descriptions.

use super::doc::Node;
use jingzhi_app::open311::{Datatype, attributes_of, is_service};
use jingzhi_domain::matter::{Catalogue, Matter};

/// The Chinese group of a service (the spec's `group`).
pub fn group_of(code: &str) -> &'static str {
    match code {
        "illegal_construction" | "load_bearing_damage" | "renovation_violation" | "common_area_occupation" => {
            "住宅小区"
        }
        "outdoor_signage" | "street_vending" | "cross_door_business" | "disorderly_stalls" | "shared_bike_parking" => {
            "街面秩序"
        }
        "greenery_damage"
        | "catering_fumes"
        | "dust_pollution"
        | "night_construction_noise"
        | "construction_waste"
        | "waste_sorting" => "生态环境",
        "ebike_charging" | "gas_safety" => "城市安全",
        _ => "其他",
    }
}

/// What a citizen should report under a service (Chinese).
fn what_to_report(code: &str) -> Option<&'static str> {
    Some(match code {
        "illegal_construction" => {
            "小区内或沿街新搭建、加层、外扩的建（构）筑物，如阳台外扩、屋顶加盖、天井搭棚。请说明搭建位置、是否正在施工。"
        }
        "load_bearing_damage" => "装修中拆改承重墙、梁、柱、楼板，或在承重结构上开凿大洞。请说明楼号、室号。",
        "renovation_violation" => "装修未登记、在规定时间以外施工扰民、装修垃圾乱堆、擅自封闭阳台或开窗改变外立面。",
        "common_area_occupation" => "楼道、楼梯间、屋顶、地下室等共用部位被堆物、圈占或改作私用。",
        "greenery_damage" => "毁坏、侵占绿地，擅自砍伐、迁移树木。",
        "ebike_charging" => "电动自行车在楼道、门厅、电梯内停放或充电，私拉电线“飞线”充电。",
        "gas_safety" => "餐饮等场所违规使用、储存瓶装燃气，燃气设施被擅自改装、圈占。",
        "outdoor_signage" => "违规设置或破损有安全隐患的户外广告、店招，乱张贴、乱涂写小广告。",
        "catering_fumes" => "餐饮店油烟直排、未安装或未正常使用油烟净化设施，居民楼内开设产生油烟的餐饮，露天烧烤。",
        "dust_pollution" => "工地、道路、裸土扬尘，运输车辆未密闭造成扬尘。",
        "night_construction_noise" => "22时至次日6时建设工地施工噪声扰民（室内装修噪声请选“违规装修”）。",
        "construction_waste" => "乱倒建筑垃圾、装修垃圾，渣土车沿途撒漏。",
        "waste_sorting" => "单位或个人未按规定分类投放生活垃圾，收运单位混装混运。",
        "street_vending" => "在道路、人行道上占道经营、堆物。",
        "cross_door_business" => "沿街商铺超出门窗、外墙在门前经营或摆放商品。",
        "disorderly_stalls" => "流动摊贩在道路、广场、桥下、学校门口等处无序设摊。",
        "shared_bike_parking" => "共享单车乱停放、堆积占道，影响通行。",
        "other" => "不确定属于哪一类的问题：由指挥中心判断事项；不属于城管执法职责的，告知或移送主管部门。",
        _ => return None,
    })
}

/// The spec's `description`: what to report, and the legal basis.
pub fn description_of(m: &Matter) -> String {
    let what = what_to_report(&m.code)
        .map(str::to_string)
        .unwrap_or_else(|| m.name.clone());
    let basis: Vec<&str> = m.legal_basis.iter().take(2).map(String::as_str).collect();
    if basis.is_empty() {
        what
    } else {
        format!("{what}依据：{}。", basis.join("；"))
    }
}

/// A few keywords: the matter's strongest phrases (the classifier's own vocabulary).
pub fn keywords_of(m: &Matter) -> String {
    let mut phrases: Vec<_> = m.phrases.iter().filter(|p| p.text != m.name).collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.weight));
    let mut out: Vec<&str> = Vec::new();
    for p in phrases {
        if out.len() == 5 {
            break;
        }
        if !out.contains(&p.text.as_str()) && !p.text.contains(',') {
            out.push(&p.text);
        }
    }
    out.join(",")
}

/// The services, in catalogue order.
pub fn services(cat: &Catalogue) -> Vec<&Matter> {
    cat.matters().iter().filter(|m| is_service(m)).collect()
}

pub fn service_list(cat: &Catalogue) -> Node {
    Node::List(
        "service",
        services(cat)
            .into_iter()
            .map(|m| {
                Node::Obj(vec![
                    ("service_code", Node::text(m.code.clone())),
                    ("service_name", Node::text(m.name.clone())),
                    ("description", Node::text(description_of(m))),
                    ("metadata", Node::Bool(true)),
                    ("type", Node::text("realtime")),
                    ("keywords", Node::text(keywords_of(m))),
                    ("group", Node::text(group_of(&m.code))),
                ])
            })
            .collect(),
    )
}

pub fn definition(m: &Matter) -> Node {
    let attributes = attributes_of(&m.code)
        .into_iter()
        .map(|a| {
            let mut fields = vec![
                ("variable", Node::Bool(true)),
                ("code", Node::text(a.code)),
                ("datatype", Node::text(a.datatype.code())),
                ("required", Node::Bool(a.required)),
                ("datatype_description", Node::text(a.datatype_description)),
                ("order", Node::Int(a.order.into())),
                ("description", Node::text(a.description)),
            ];
            if a.datatype == Datatype::SingleValueList {
                fields.push((
                    "values",
                    Node::List(
                        "value",
                        a.values
                            .iter()
                            .map(|(k, n)| Node::Obj(vec![("key", Node::text(*k)), ("name", Node::text(*n))]))
                            .collect(),
                    ),
                ));
            }
            Node::Obj(fields)
        })
        .collect();
    Node::Obj(vec![
        ("service_code", Node::text(m.code.clone())),
        ("attributes", Node::List("attribute", attributes)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_of_the_default_catalogue_has_a_group_and_a_description() {
        let cat = jingzhi_domain::matter::default_catalogue();
        let list = services(&cat);
        assert!(list.iter().any(|m| m.is_other()), "其他 is offered");
        assert!(list.iter().all(|m| m.remit.is_chengguan() || m.is_other()));
        assert!(
            !list.iter().any(|m| m.code == "group_rental"),
            "群租 is the housing department's"
        );
        for m in list {
            assert!(what_to_report(&m.code).is_some(), "{}", m.code);
            assert!(m.is_other() || group_of(&m.code) != "其他", "{}", m.code);
            assert!(m.is_other() || !keywords_of(m).is_empty(), "{}", m.code);
        }
    }
}
