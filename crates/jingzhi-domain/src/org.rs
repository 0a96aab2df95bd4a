//! 组织与地点 (organisations and places): the org tree and how it scopes data.

use serde::{Deserialize, Serialize};

crate::coded_enum! {
    /// 组织类型
    pub enum OrgKind {
        /// 区城管执法局
        DistrictBureau = ("district_bureau", "区城管执法局"),
        /// 街镇综合行政执法队 (one per street/town; the street office/town government is the enforcement subject)
        StreetTeam = ("street_team", "街镇综合行政执法队"),
        /// 指挥中心 / 派单台 (district dispatch desk, or a street's 城运中心)
        DispatchCenter = ("dispatch_center", "指挥中心"),
        /// 物业服务企业
        PropertyCompany = ("property_company", "物业服务企业"),
        /// 管理部门 (房管, 绿化市容, 建管, 生态环境, 规划资源, 交警, 公安, 市场监管…)
        Department = ("department", "管理部门"),
        /// 居民委员会 (community)
        Community = ("community", "居委会"),
        /// 网格
        Grid = ("grid", "网格"),
    }
}

crate::coded_enum! {
    /// 街镇类型
    pub enum StreetKind {
        Subdistrict = ("subdistrict", "街道"),
        Town = ("town", "镇"),
    }
}

crate::coded_enum! {
    /// 管理部门类别
    pub enum DepartmentKind {
        Housing = ("housing", "房管"),
        GreeningCityAppearance = ("greening", "绿化市容"),
        Construction = ("construction", "建管"),
        Ecology = ("ecology", "生态环境"),
        Planning = ("planning", "规划资源"),
        TrafficPolice = ("traffic_police", "交警"),
        PublicSecurity = ("public_security", "公安"),
        MarketRegulation = ("market_regulation", "市场监管"),
        FireRescue = ("fire_rescue", "消防救援"),
        Transport = ("transport", "交通"),
        Other = ("other_department", "其他部门"),
    }
}

/// A street/town's official 9-digit statistical code (GB/T 10114 style, e.g. `310105001`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StreetCode(String);

impl StreetCode {
    /// Accepts exactly nine ASCII digits.
    pub fn parse(s: &str) -> Result<StreetCode, String> {
        let s = s.trim();
        if s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(StreetCode(s.to_string()))
        } else {
            Err(format!("街镇代码应为9位数字：{s}"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The 6-digit county-level code it belongs to (e.g. 310105 for 长宁区).
    pub fn district(&self) -> &str {
        &self.0[..6]
    }
}

impl std::fmt::Display for StreetCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 街道/镇 — a street or town of the district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Street {
    pub code: StreetCode,
    pub name: String,
    pub kind: StreetKind,
    /// 6-digit county-level code (310105 = 长宁区).
    pub district_code: String,
}

/// 组织机构 — a unit of the org tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: OrgKind,
    /// Stable external code (e.g. `310105001-team`, `dept-housing`); unique.
    pub code: String,
    pub name: String,
    pub street_code: Option<StreetCode>,
    pub department_kind: Option<DepartmentKind>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub active: bool,
}

impl OrgUnit {
    pub fn as_ref(&self) -> OrgRef {
        OrgRef {
            id: self.id,
            kind: self.kind,
            street_code: self.street_code.clone(),
        }
    }
}

/// 小区 — a residential compound, managed by one property company.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compound {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub address: String,
    pub street_code: StreetCode,
    pub community_id: Option<i64>,
    pub property_company_id: Option<i64>,
    /// WGS84 longitude/latitude.
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub households: Option<i64>,
    pub active: bool,
}

/// What an org unit is, as far as scoping is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    pub id: i64,
    pub kind: OrgKind,
    /// The street/town the unit belongs to (teams, street dispatch centres, communities, grids).
    pub street_code: Option<StreetCode>,
}

/// 数据范围 — how much of the district's data a person sees. A domain rule: derived from the org
/// unit the person belongs to, enforced by the application layer on every read and write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The district bureau and the district dispatch desk: everything.
    District,
    /// A street/town team (or the street's dispatch centre): its own jurisdiction.
    Street(StreetCode),
    /// A property company: its compounds and what it reported.
    Company(i64),
    /// A management department: what was sent to it.
    Department(i64),
    /// A community or grid: what it reported.
    Grid {
        org_id: i64,
        street_code: Option<StreetCode>,
    },
}

impl Scope {
    pub fn of(org: &OrgRef) -> Scope {
        match (org.kind, &org.street_code) {
            (OrgKind::DistrictBureau, _) => Scope::District,
            (OrgKind::DispatchCenter, None) => Scope::District,
            (OrgKind::DispatchCenter, Some(c)) | (OrgKind::StreetTeam, Some(c)) => Scope::Street(c.clone()),
            // A street team without a street code is a data error; it sees nothing rather than everything.
            (OrgKind::StreetTeam, None) => Scope::Grid {
                org_id: org.id,
                street_code: None,
            },
            (OrgKind::PropertyCompany, _) => Scope::Company(org.id),
            (OrgKind::Department, _) => Scope::Department(org.id),
            (OrgKind::Community | OrgKind::Grid, c) => Scope::Grid {
                org_id: org.id,
                street_code: c.clone(),
            },
        }
    }

    /// Chinese description for pages ("本街镇：华阳路街道").
    pub fn describe(&self) -> String {
        match self {
            Scope::District => "全区".into(),
            Scope::Street(c) => format!("本街镇（{c}）"),
            Scope::Company(_) => "本企业管理的小区及本企业上报的事项".into(),
            Scope::Department(_) => "移送或交办本部门的事项".into(),
            Scope::Grid { .. } => "本网格上报的事项".into(),
        }
    }
}

/// Where a piece of scoped data sits: the facts the scoping rule looks at. Each module builds one
/// for its records (a clue, a case…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Footprint {
    /// The street/town whose jurisdiction it falls in (None: not yet located, district desk).
    pub street_code: Option<StreetCode>,
    /// The org unit that reported it (property company, grid, department…).
    pub reporter_org: Option<i64>,
    /// The property company managing the compound it concerns.
    pub compound_company: Option<i64>,
    /// Departments it was sent to (transfer, suggestion letter).
    pub sent_to: Vec<i64>,
}

impl Scope {
    /// The scoping rule for data records.
    pub fn sees(&self, f: &Footprint) -> bool {
        match self {
            Scope::District => true,
            Scope::Street(c) => f.street_code.as_ref() == Some(c),
            Scope::Company(id) => f.reporter_org == Some(*id) || f.compound_company == Some(*id),
            Scope::Department(id) => f.sent_to.contains(id),
            Scope::Grid { org_id, .. } => f.reporter_org == Some(*org_id),
        }
    }

    /// The scoping rule for the org tree: who sees which org units.
    /// Partners (property companies, grids) see only themselves and the enforcement units they work
    /// with; enforcement staff and departments see the whole tree (it is reference data they route on).
    pub fn sees_org(&self, org: &OrgRef) -> bool {
        match self {
            Scope::District | Scope::Street(_) | Scope::Department(_) => true,
            Scope::Company(id) => {
                org.id == *id
                    || matches!(
                        org.kind,
                        OrgKind::DistrictBureau | OrgKind::StreetTeam | OrgKind::DispatchCenter
                    )
            }
            Scope::Grid { org_id, street_code } => {
                org.id == *org_id
                    || org.kind == OrgKind::DistrictBureau
                    || (matches!(org.kind, OrgKind::StreetTeam | OrgKind::DispatchCenter)
                        && &org.street_code == street_code)
            }
        }
    }

    /// Users of which org units this scope may see (for user administration lists).
    pub fn sees_users_of(&self, org: &OrgRef) -> bool {
        match self {
            Scope::District => true,
            Scope::Street(c) => org.street_code.as_ref() == Some(c),
            Scope::Company(id) | Scope::Department(id) => org.id == *id,
            Scope::Grid { org_id, .. } => org.id == *org_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> StreetCode {
        StreetCode::parse(s).unwrap()
    }

    #[test]
    fn street_code_must_be_nine_digits() {
        assert!(StreetCode::parse("310105001").is_ok());
        assert!(StreetCode::parse("31010500").is_err());
        assert!(StreetCode::parse("31010500a").is_err());
        assert_eq!(code("310105102").district(), "310105");
    }

    #[test]
    fn scope_follows_org_kind() {
        let team = OrgRef {
            id: 7,
            kind: OrgKind::StreetTeam,
            street_code: Some(code("310105001")),
        };
        assert_eq!(Scope::of(&team), Scope::Street(code("310105001")));
        let desk = OrgRef {
            id: 2,
            kind: OrgKind::DispatchCenter,
            street_code: None,
        };
        assert_eq!(Scope::of(&desk), Scope::District);
        let pc = OrgRef {
            id: 40,
            kind: OrgKind::PropertyCompany,
            street_code: None,
        };
        assert_eq!(Scope::of(&pc), Scope::Company(40));
    }

    #[test]
    fn street_team_sees_only_its_jurisdiction() {
        let s = Scope::Street(code("310105001"));
        let mine = Footprint {
            street_code: Some(code("310105001")),
            ..Default::default()
        };
        let other = Footprint {
            street_code: Some(code("310105002")),
            ..Default::default()
        };
        let unlocated = Footprint::default();
        assert!(s.sees(&mine));
        assert!(!s.sees(&other));
        assert!(!s.sees(&unlocated));
        assert!(Scope::District.sees(&unlocated));
    }

    #[test]
    fn company_sees_its_compounds_and_its_reports_only() {
        let s = Scope::Company(40);
        assert!(s.sees(&Footprint {
            compound_company: Some(40),
            ..Default::default()
        }));
        assert!(s.sees(&Footprint {
            reporter_org: Some(40),
            ..Default::default()
        }));
        assert!(!s.sees(&Footprint {
            compound_company: Some(41),
            street_code: Some(code("310105001")),
            ..Default::default()
        }));
    }

    #[test]
    fn department_sees_what_was_sent_to_it() {
        let s = Scope::Department(9);
        assert!(s.sees(&Footprint {
            sent_to: vec![3, 9],
            ..Default::default()
        }));
        assert!(!s.sees(&Footprint {
            sent_to: vec![3],
            street_code: Some(code("310105001")),
            ..Default::default()
        }));
    }

    #[test]
    fn company_does_not_see_other_companies_in_the_tree() {
        let s = Scope::Company(40);
        assert!(s.sees_org(&OrgRef {
            id: 40,
            kind: OrgKind::PropertyCompany,
            street_code: None
        }));
        assert!(!s.sees_org(&OrgRef {
            id: 41,
            kind: OrgKind::PropertyCompany,
            street_code: None
        }));
        assert!(!s.sees_org(&OrgRef {
            id: 9,
            kind: OrgKind::Department,
            street_code: None
        }));
        assert!(s.sees_org(&OrgRef {
            id: 1,
            kind: OrgKind::DistrictBureau,
            street_code: None
        }));
    }
}
