//! Organisations and places: the org tree, compounds, and their import.

use crate::App;
use crate::actor::Actor;
use crate::audit::{NONE, record};
use crate::error::{AppError, AppResult, Check, ErrorCode};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::org::{Compound, DepartmentKind, OrgKind, OrgUnit, Scope, Street, StreetCode, StreetKind};
use jingzhi_store::Conn;
use jingzhi_store::repo::places::{self, CompoundFields, OrgFields};
use serde::{Deserialize, Serialize};

/// What an admin fills in for an org unit.
#[derive(Debug, Clone, Default)]
pub struct OrgInput {
    pub parent_id: Option<i64>,
    pub kind: Option<OrgKind>,
    pub code: String,
    pub name: String,
    pub street_code: String,
    pub department_kind: Option<DepartmentKind>,
    pub phone: String,
    pub address: String,
    pub active: bool,
}

/// What an admin fills in for a compound.
#[derive(Debug, Clone, Default)]
pub struct CompoundInput {
    pub code: String,
    pub name: String,
    pub address: String,
    pub street_code: String,
    pub community_id: Option<i64>,
    pub property_company_id: Option<i64>,
    pub lng: String,
    pub lat: String,
    pub households: String,
    pub active: bool,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn check_code(ck: &mut Check, field: &str, code: &str) {
    let ok =
        !code.is_empty() && code.len() <= 40 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        ck.fail(field, "代码应为1至40位字母、数字、- 或 _");
    }
}

fn org_fields(input: &OrgInput) -> AppResult<OrgFields> {
    let mut ck = Check::new();
    check_code(&mut ck, "code", input.code.trim());
    ck.required("name", &input.name, "名称");
    let kind = input.kind;
    if kind.is_none() {
        ck.fail("kind", "请选择组织类型");
    }
    let street = opt(&input.street_code).map(|s| StreetCode::parse(&s));
    if let Some(Err(m)) = &street {
        ck.fail("street_code", m.clone());
    }
    let street = street.and_then(|r| r.ok());
    if matches!(kind, Some(OrgKind::StreetTeam | OrgKind::Community | OrgKind::Grid)) && street.is_none() {
        ck.fail("street_code", "街镇执法队、居委会和网格须选择所属街镇");
    }
    if kind == Some(OrgKind::Department) && input.department_kind.is_none() {
        ck.fail("department_kind", "请选择部门类别");
    }
    ck.finish()?;
    Ok(OrgFields {
        parent_id: input.parent_id,
        kind: kind.expect("checked"),
        code: input.code.trim().to_string(),
        name: input.name.trim().to_string(),
        street_code: street,
        department_kind: if kind == Some(OrgKind::Department) {
            input.department_kind
        } else {
            None
        },
        phone: opt(&input.phone),
        address: opt(&input.address),
    })
}

fn compound_fields(input: &CompoundInput) -> AppResult<CompoundFields> {
    let mut ck = Check::new();
    check_code(&mut ck, "code", input.code.trim());
    ck.required("name", &input.name, "小区名称");
    ck.required("address", &input.address, "地址");
    let street = StreetCode::parse(&input.street_code);
    if let Err(m) = &street {
        ck.fail("street_code", m.clone());
    }
    let num = |ck: &mut Check, field: &str, s: &str, lo: f64, hi: f64, what: &str| -> Option<f64> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        match s.parse::<f64>() {
            Ok(v) if (lo..=hi).contains(&v) => Some(v),
            _ => {
                ck.fail(field, format!("{what}应为{lo}至{hi}之间的数字"));
                None
            }
        }
    };
    let lng = num(&mut ck, "lng", &input.lng, 73.0, 136.0, "经度");
    let lat = num(&mut ck, "lat", &input.lat, 3.0, 54.0, "纬度");
    if lng.is_some() != lat.is_some() {
        ck.fail("lat", "经度和纬度须同时填写");
    }
    let households = match input.households.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(v) if v >= 0 => Some(v),
            _ => {
                ck.fail("households", "户数应为非负整数");
                None
            }
        },
    };
    ck.finish()?;
    Ok(CompoundFields {
        code: input.code.trim().to_string(),
        name: input.name.trim().to_string(),
        address: input.address.trim().to_string(),
        street_code: street.expect("checked"),
        community_id: input.community_id,
        property_company_id: input.property_company_id,
        lng,
        lat,
        households,
    })
}

fn code_conflict(e: jingzhi_store::StoreError) -> AppError {
    match e {
        jingzhi_store::StoreError::Conflict(_) => AppError::field("code", "代码已被使用"),
        e => e.into(),
    }
}

impl App {
    /// The active streets and towns in code order, as loaded with the intake data (each list
    /// page names them; a change of the places data moves its version, seen here at once and by
    /// other servers within the data's recheck).
    pub fn list_streets(&self, actor: &Actor) -> AppResult<Vec<Street>> {
        actor.require(Resource::OrgUnit, Action::View)?;
        Ok(self.intake_data()?.streets.clone())
    }

    /// Org units the actor may see, in code order.
    pub fn list_orgs(&self, actor: &Actor) -> AppResult<Vec<OrgUnit>> {
        actor.require(Resource::OrgUnit, Action::View)?;
        let all = self.store.read(places::list_orgs)?;
        Ok(all.into_iter().filter(|o| actor.scope.sees_org(&o.as_ref())).collect())
    }

    pub fn get_org(&self, actor: &Actor, id: i64) -> AppResult<OrgUnit> {
        actor.require(Resource::OrgUnit, Action::View)?;
        let o = self.store.read(|c| places::get_org(c, id))?;
        if !actor.scope.sees_org(&o.as_ref()) {
            return Err(AppError::new(ErrorCode::OutOfScope));
        }
        Ok(o)
    }

    pub fn create_org(&self, actor: &Actor, input: &OrgInput) -> AppResult<i64> {
        actor.require(Resource::OrgUnit, Action::Create)?;
        actor.require_district("新建组织机构")?;
        let f = org_fields(input)?;
        let now = self.now();
        self.store.write(|c| {
            check_refs(c, &f)?;
            let id = places::insert_org(c, &f, now).map_err(code_conflict)?;
            let o = places::get_org(c, id)?;
            record(c, actor, now, "org.create", "org_unit", id, NONE, Some(&o))?;
            Ok(id)
        })
    }

    pub fn update_org(&self, actor: &Actor, id: i64, input: &OrgInput) -> AppResult<()> {
        actor.require(Resource::OrgUnit, Action::Update)?;
        actor.require_district("修改组织机构")?;
        let f = org_fields(input)?;
        if f.parent_id == Some(id) {
            return Err(AppError::field("parent_id", "上级单位不能是自己"));
        }
        let now = self.now();
        self.store.write(|c| {
            check_refs(c, &f)?;
            let before = places::get_org(c, id)?;
            places::update_org(c, id, &f, input.active, now).map_err(code_conflict)?;
            let after = places::get_org(c, id)?;
            record(c, actor, now, "org.update", "org_unit", id, Some(&before), Some(&after))?;
            Ok::<_, AppError>(())
        })?;
        self.forget_sessions();
        Ok(())
    }

    /// Compounds the actor may see: the district, its own street, or its own company's.
    pub fn list_compounds(&self, actor: &Actor) -> AppResult<Vec<Compound>> {
        actor.require(Resource::Compound, Action::View)?;
        Ok(self.store.read(|c| match &actor.scope {
            Scope::District | Scope::Department(_) => places::list_compounds(c, None, None),
            Scope::Street(s) => places::list_compounds(c, Some(s.as_str()), None),
            Scope::Company(id) => places::list_compounds(c, None, Some(*id)),
            Scope::Grid {
                street_code: Some(s), ..
            } => places::list_compounds(c, Some(s.as_str()), None),
            Scope::Grid { street_code: None, .. } => Ok(Vec::new()),
        })?)
    }

    pub fn get_compound(&self, actor: &Actor, id: i64) -> AppResult<Compound> {
        actor.require(Resource::Compound, Action::View)?;
        let cp = self.store.read(|c| places::get_compound(c, id))?;
        let visible = match &actor.scope {
            Scope::District | Scope::Department(_) => true,
            Scope::Street(s) => &cp.street_code == s,
            Scope::Company(id) => cp.property_company_id == Some(*id),
            Scope::Grid { street_code, .. } => street_code.as_ref() == Some(&cp.street_code),
        };
        if !visible {
            return Err(AppError::new(ErrorCode::OutOfScope));
        }
        Ok(cp)
    }

    pub fn create_compound(&self, actor: &Actor, input: &CompoundInput) -> AppResult<i64> {
        actor.require(Resource::Compound, Action::Create)?;
        actor.require_district("新建小区")?;
        let f = compound_fields(input)?;
        let now = self.now();
        self.store
            .write(|c| {
                check_compound_refs(c, &f)?;
                let id = places::insert_compound(c, &f, now).map_err(code_conflict)?;
                let cp = places::get_compound(c, id)?;
                record(c, actor, now, "compound.create", "compound", id, NONE, Some(&cp))?;
                crate::intake::bump_version(c, now)?;
                Ok(id)
            })
            .inspect(|_| self.invalidate_intake_data())
    }

    pub fn update_compound(&self, actor: &Actor, id: i64, input: &CompoundInput) -> AppResult<()> {
        actor.require(Resource::Compound, Action::Update)?;
        actor.require_district("修改小区")?;
        let f = compound_fields(input)?;
        let now = self.now();
        self.store
            .write(|c| {
                check_compound_refs(c, &f)?;
                let before = places::get_compound(c, id)?;
                places::update_compound(c, id, &f, input.active, now).map_err(code_conflict)?;
                let after = places::get_compound(c, id)?;
                record(
                    c,
                    actor,
                    now,
                    "compound.update",
                    "compound",
                    id,
                    Some(&before),
                    Some(&after),
                )?;
                // Compounds feed jurisdiction (name, street, point): every server reloads them.
                crate::intake::bump_version(c, now)?;
                Ok(())
            })
            .inspect(|_| self.invalidate_intake_data())
    }

    /// Imports places from the TOML form of `data/demo/changning.toml` (streets, departments,
    /// communities, grids, property companies, compounds). Every entry is validated first; any
    /// error refuses the whole file. Entries are matched by code: new ones are created, changed
    /// ones updated, identical ones left alone (re-importing changes nothing).
    pub fn import_places(&self, actor: &Actor, text: &str, dry_run: bool) -> AppResult<ImportReport> {
        actor.require(Resource::OrgUnit, Action::Import)?;
        actor.require(Resource::Compound, Action::Import)?;
        actor.require_district("导入组织机构与地点")?;
        let file: PlacesFile = toml::from_str(text)
            .map_err(|e| AppError::with_message(ErrorCode::ImportRejected, format!("文件格式错误：{}", e.message())))?;
        let errors = file.validate();
        if !errors.is_empty() {
            return Err(import_rejected(errors));
        }
        let now = self.now();
        let run = |c: &mut dyn Conn| -> AppResult<ImportReport> { apply_places(c, actor, now, &file) };
        if dry_run {
            // Run everything, then roll back: the report is exactly what a real import would do.
            let mut report = None;
            let r: AppResult<()> = self.store.write(|c| {
                report = Some(run(c)?);
                Err(AppError::with_message(ErrorCode::Internal, "dry run"))
            });
            match (r, report) {
                (Err(e), Some(rep)) if e.message == "dry run" => Ok(ImportReport { dry_run: true, ..rep }),
                (Err(e), _) => Err(e),
                (Ok(()), _) => unreachable!("dry run always rolls back"),
            }
        } else {
            let report = self.store.write(run)?;
            self.forget_sessions();
            self.invalidate_intake_data();
            Ok(report)
        }
    }
}

fn import_rejected(errors: Vec<String>) -> AppError {
    let mut e = AppError::with_message(
        ErrorCode::ImportRejected,
        format!(
            "导入文件有 {} 处错误，未导入任何数据：\n{}",
            errors.len(),
            errors.join("\n")
        ),
    );
    e.fields = errors
        .into_iter()
        .map(|m| crate::FieldError {
            field: "file".into(),
            message: m,
        })
        .collect();
    e
}

fn check_refs(c: &mut dyn Conn, f: &OrgFields) -> AppResult<()> {
    if let Some(p) = f.parent_id {
        places::get_org(c, p).map_err(|_| AppError::field("parent_id", "上级单位不存在"))?;
    }
    if let Some(s) = &f.street_code {
        places::get_street(c, s.as_str()).map_err(|_| AppError::field("street_code", "街镇不存在"))?;
    }
    Ok(())
}

fn check_compound_refs(c: &mut dyn Conn, f: &CompoundFields) -> AppResult<()> {
    places::get_street(c, f.street_code.as_str()).map_err(|_| AppError::field("street_code", "街镇不存在"))?;
    if let Some(id) = f.property_company_id {
        let o = places::get_org(c, id).map_err(|_| AppError::field("property_company_id", "物业服务企业不存在"))?;
        if o.kind != OrgKind::PropertyCompany {
            return Err(AppError::field("property_company_id", "所选单位不是物业服务企业"));
        }
    }
    if let Some(id) = f.community_id {
        let o = places::get_org(c, id).map_err(|_| AppError::field("community_id", "居委会不存在"))?;
        if o.kind != OrgKind::Community {
            return Err(AppError::field("community_id", "所选单位不是居委会"));
        }
    }
    Ok(())
}

/// The places file (TOML). See `docs/data-formats.md`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PlacesFile {
    #[serde(default)]
    pub bureau: Option<NamedUnit>,
    #[serde(default)]
    pub dispatch: Option<NamedUnit>,
    #[serde(default)]
    pub street: Vec<StreetEntry>,
    #[serde(default)]
    pub department: Vec<DepartmentEntry>,
    #[serde(default)]
    pub community: Vec<CommunityEntry>,
    #[serde(default)]
    pub grid: Vec<GridEntry>,
    #[serde(default)]
    pub property_company: Vec<CompanyEntry>,
    #[serde(default)]
    pub compound: Vec<CompoundEntry>,
    /// Address rules (used by clue jurisdiction).
    #[serde(default)]
    pub road: Vec<toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedUnit {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreetEntry {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub team_name: String,
    #[serde(default)]
    pub team_phone: Option<String>,
    #[serde(default)]
    pub team_address: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentEntry {
    pub code: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityEntry {
    pub code: String,
    pub name: String,
    pub street_code: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridEntry {
    pub code: String,
    pub name: String,
    pub community_code: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyEntry {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompoundEntry {
    pub code: String,
    pub name: String,
    pub address: String,
    pub street_code: String,
    #[serde(default)]
    pub community_code: Option<String>,
    #[serde(default)]
    pub property_company_code: Option<String>,
    #[serde(default)]
    pub lng: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub households: Option<i64>,
}

/// The district bureau's default code and name when the file names none.
pub const BUREAU_CODE: &str = "bureau";
pub const DISPATCH_CODE: &str = "dispatch";

/// The org code of a street's enforcement team.
pub fn team_code(street_code: &str) -> String {
    format!("team-{street_code}")
}

impl PlacesFile {
    /// Every problem, each as one Chinese line naming the entry.
    pub fn validate(&self) -> Vec<String> {
        let mut errs = Vec::new();
        let mut codes = std::collections::BTreeSet::new();
        let mut dup = |errs: &mut Vec<String>, what: &str, code: &str| {
            if !codes.insert(code.to_string()) {
                errs.push(format!("{what} {code}：代码重复"));
            }
        };
        let street_codes: Vec<&str> = self.street.iter().map(|s| s.code.as_str()).collect();
        for (i, s) in self.street.iter().enumerate() {
            let at = format!("第{}个街镇 {}", i + 1, s.code);
            if let Err(m) = StreetCode::parse(&s.code) {
                errs.push(format!("{at}：{m}"));
            }
            if StreetKind::from_code(&s.kind).is_none() {
                errs.push(format!(
                    "{at}：类型应为 subdistrict（街道）或 town（镇），实为 {}",
                    s.kind
                ));
            }
            if s.name.trim().is_empty() || s.team_name.trim().is_empty() {
                errs.push(format!("{at}：名称和执法队名称不能为空"));
            }
            dup(&mut errs, "街镇", &s.code);
        }
        for (i, d) in self.department.iter().enumerate() {
            let at = format!("第{}个管理部门 {}", i + 1, d.code);
            if DepartmentKind::from_code(&d.kind).is_none() {
                errs.push(format!("{at}：未知的部门类别 {}", d.kind));
            }
            dup(&mut errs, "管理部门", &d.code);
        }
        let community_codes: Vec<&str> = self.community.iter().map(|c| c.code.as_str()).collect();
        for (i, c) in self.community.iter().enumerate() {
            let at = format!("第{}个居委会 {}", i + 1, c.code);
            if !street_codes.contains(&c.street_code.as_str()) {
                errs.push(format!("{at}：所属街镇 {} 不在文件中", c.street_code));
            }
            dup(&mut errs, "居委会", &c.code);
        }
        for (i, g) in self.grid.iter().enumerate() {
            let at = format!("第{}个网格 {}", i + 1, g.code);
            if !community_codes.contains(&g.community_code.as_str()) {
                errs.push(format!("{at}：所属居委会 {} 不在文件中", g.community_code));
            }
            dup(&mut errs, "网格", &g.code);
        }
        let company_codes: Vec<&str> = self.property_company.iter().map(|c| c.code.as_str()).collect();
        for p in &self.property_company {
            dup(&mut errs, "物业服务企业", &p.code);
        }
        let mut compound_codes = std::collections::BTreeSet::new();
        for (i, c) in self.compound.iter().enumerate() {
            let at = format!("第{}个小区 {}", i + 1, c.code);
            if !compound_codes.insert(c.code.clone()) {
                errs.push(format!("{at}：代码重复"));
            }
            if !street_codes.contains(&c.street_code.as_str()) {
                errs.push(format!("{at}：所属街镇 {} 不在文件中", c.street_code));
            }
            if let Some(cc) = &c.community_code
                && !community_codes.contains(&cc.as_str())
            {
                errs.push(format!("{at}：所属居委会 {cc} 不在文件中"));
            }
            if let Some(pc) = &c.property_company_code
                && !company_codes.contains(&pc.as_str())
            {
                errs.push(format!("{at}：物业服务企业 {pc} 不在文件中"));
            }
            match (c.lng, c.lat) {
                (Some(lng), Some(lat)) if !(73.0..=136.0).contains(&lng) || !(3.0..=54.0).contains(&lat) => {
                    errs.push(format!("{at}：坐标不在中国境内（经度 {lng}，纬度 {lat}）"))
                }
                (Some(_), None) | (None, Some(_)) => errs.push(format!("{at}：经度和纬度须同时填写")),
                _ => {}
            }
            if c.name.trim().is_empty() || c.address.trim().is_empty() {
                errs.push(format!("{at}：名称和地址不能为空"));
            }
        }
        errs
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

fn upsert_org(
    c: &mut dyn Conn,
    actor: &Actor,
    now: jiff::Timestamp,
    f: OrgFields,
    rep: &mut ImportReport,
) -> AppResult<i64> {
    match places::find_org_by_code(c, &f.code)? {
        None => {
            let id = places::insert_org(c, &f, now)?;
            let o = places::get_org(c, id)?;
            record(c, actor, now, "org.import", "org_unit", id, NONE, Some(&o))?;
            rep.created += 1;
            Ok(id)
        }
        // A code names one unit: an entry may update it, never turn it into another kind of unit
        // (a community coded like the dispatch desk would otherwise replace it).
        Some(before) if before.kind != f.kind => Err(AppError::with_message(
            ErrorCode::ImportRejected,
            format!(
                "导入文件有错误，未导入任何数据：编码“{}”已是{}“{}”，不能用作{}“{}”的编码",
                f.code,
                before.kind.label(),
                before.name,
                f.kind.label(),
                f.name
            ),
        )),
        Some(before) => {
            let same = before.parent_id == f.parent_id
                && before.kind == f.kind
                && before.name == f.name
                && before.street_code == f.street_code
                && before.department_kind == f.department_kind
                && before.phone == f.phone
                && before.address == f.address
                && before.active;
            if same {
                rep.unchanged += 1;
            } else {
                places::update_org(c, before.id, &f, true, now)?;
                let after = places::get_org(c, before.id)?;
                record(
                    c,
                    actor,
                    now,
                    "org.import",
                    "org_unit",
                    before.id,
                    Some(&before),
                    Some(&after),
                )?;
                rep.updated += 1;
            }
            Ok(before.id)
        }
    }
}

fn apply_places(c: &mut dyn Conn, actor: &Actor, now: jiff::Timestamp, file: &PlacesFile) -> AppResult<ImportReport> {
    let mut rep = ImportReport::default();
    let bureau = file.bureau.clone().unwrap_or(NamedUnit {
        code: BUREAU_CODE.into(),
        name: "长宁区城市管理行政执法局".into(),
        phone: None,
        address: None,
    });
    let bureau_id = match places::find_org_by_code(c, &bureau.code)? {
        Some(o) if file.bureau.is_none() => o.id,
        _ => upsert_org(
            c,
            actor,
            now,
            OrgFields {
                parent_id: None,
                kind: OrgKind::DistrictBureau,
                code: bureau.code.clone(),
                name: bureau.name.clone(),
                street_code: None,
                department_kind: None,
                phone: bureau.phone.clone(),
                address: bureau.address.clone(),
            },
            &mut rep,
        )?,
    };
    let dispatch = file.dispatch.clone().unwrap_or(NamedUnit {
        code: DISPATCH_CODE.into(),
        name: "区城管执法指挥中心".into(),
        phone: None,
        address: None,
    });
    if file.dispatch.is_some() || places::find_org_by_code(c, &dispatch.code)?.is_none() {
        upsert_org(
            c,
            actor,
            now,
            OrgFields {
                parent_id: Some(bureau_id),
                kind: OrgKind::DispatchCenter,
                code: dispatch.code.clone(),
                name: dispatch.name.clone(),
                street_code: None,
                department_kind: None,
                phone: dispatch.phone.clone(),
                address: dispatch.address.clone(),
            },
            &mut rep,
        )?;
    }
    for s in &file.street {
        let code = StreetCode::parse(&s.code).expect("validated");
        let street = Street {
            code: code.clone(),
            name: s.name.clone(),
            kind: StreetKind::from_code(&s.kind).expect("validated"),
            district_code: code.district().to_string(),
        };
        match places::get_street(c, &s.code) {
            Ok(existing) if existing == street => {}
            Ok(existing) => {
                places::upsert_street(c, &street)?;
                // Streets feed jurisdiction and every list's names: every server reloads them.
                crate::intake::bump_version(c, now)?;
                record(
                    c,
                    actor,
                    now,
                    "street.import",
                    "street",
                    &s.code,
                    Some(&existing),
                    Some(&street),
                )?;
            }
            Err(_) => {
                places::upsert_street(c, &street)?;
                crate::intake::bump_version(c, now)?;
                record(c, actor, now, "street.import", "street", &s.code, NONE, Some(&street))?;
            }
        }
        upsert_org(
            c,
            actor,
            now,
            OrgFields {
                parent_id: Some(bureau_id),
                kind: OrgKind::StreetTeam,
                code: team_code(&s.code),
                name: s.team_name.clone(),
                street_code: Some(code),
                department_kind: None,
                phone: s.team_phone.clone(),
                address: s.team_address.clone(),
            },
            &mut rep,
        )?;
    }
    for d in &file.department {
        upsert_org(
            c,
            actor,
            now,
            OrgFields {
                parent_id: None,
                kind: OrgKind::Department,
                code: d.code.clone(),
                name: d.name.clone(),
                street_code: None,
                department_kind: DepartmentKind::from_code(&d.kind),
                phone: d.phone.clone(),
                address: None,
            },
            &mut rep,
        )?;
    }
    for p in &file.property_company {
        upsert_org(
            c,
            actor,
            now,
            OrgFields {
                parent_id: None,
                kind: OrgKind::PropertyCompany,
                code: p.code.clone(),
                name: p.name.clone(),
                street_code: None,
                department_kind: None,
                phone: p.phone.clone(),
                address: None,
            },
            &mut rep,
        )?;
    }
    for cm in &file.community {
        let team = places::find_org_by_code(c, &team_code(&cm.street_code))?.map(|o| o.id);
        upsert_org(
            c,
            actor,
            now,
            OrgFields {
                parent_id: team,
                kind: OrgKind::Community,
                code: cm.code.clone(),
                name: cm.name.clone(),
                street_code: Some(StreetCode::parse(&cm.street_code).expect("validated")),
                department_kind: None,
                phone: None,
                address: None,
            },
            &mut rep,
        )?;
    }
    for g in &file.grid {
        let community = places::find_org_by_code(c, &g.community_code)?.expect("imported above");
        upsert_org(
            c,
            actor,
            now,
            OrgFields {
                parent_id: Some(community.id),
                kind: OrgKind::Grid,
                code: g.code.clone(),
                name: g.name.clone(),
                street_code: community.street_code.clone(),
                department_kind: None,
                phone: None,
                address: None,
            },
            &mut rep,
        )?;
    }
    for cp in &file.compound {
        let community_id = match &cp.community_code {
            Some(code) => places::find_org_by_code(c, code)?.map(|o| o.id),
            None => None,
        };
        let company_id = match &cp.property_company_code {
            Some(code) => places::find_org_by_code(c, code)?.map(|o| o.id),
            None => None,
        };
        let f = CompoundFields {
            code: cp.code.clone(),
            name: cp.name.clone(),
            address: cp.address.clone(),
            street_code: StreetCode::parse(&cp.street_code).expect("validated"),
            community_id,
            property_company_id: company_id,
            lng: cp.lng,
            lat: cp.lat,
            households: cp.households,
        };
        match places::find_compound_by_code(c, &cp.code)? {
            None => {
                let id = places::insert_compound(c, &f, now)?;
                let after = places::get_compound(c, id)?;
                record(c, actor, now, "compound.import", "compound", id, NONE, Some(&after))?;
                rep.created += 1;
            }
            Some(before) => {
                let same = before.name == f.name
                    && before.address == f.address
                    && before.street_code == f.street_code
                    && before.community_id == f.community_id
                    && before.property_company_id == f.property_company_id
                    && before.lng == f.lng
                    && before.lat == f.lat
                    && before.households == f.households
                    && before.active;
                if same {
                    rep.unchanged += 1;
                } else {
                    places::update_compound(c, before.id, &f, true, now)?;
                    let after = places::get_compound(c, before.id)?;
                    record(
                        c,
                        actor,
                        now,
                        "compound.import",
                        "compound",
                        before.id,
                        Some(&before),
                        Some(&after),
                    )?;
                    rep.updated += 1;
                }
            }
        }
    }
    let roads = crate::intake::store_roads(c, &file.road, now)?;
    if rep.created + rep.updated > 0 || roads > 0 {
        // Compounds and roads feed jurisdiction: every server reloads them.
        crate::intake::bump_version(c, now)?;
    }
    Ok(rep)
}

impl App {
    /// Org units for an Excel export (role check `export`, then the same scope as the list).
    pub fn export_orgs(&self, actor: &Actor) -> AppResult<Vec<OrgUnit>> {
        actor.require(Resource::OrgUnit, Action::Export)?;
        self.list_orgs(actor)
    }

    /// Compounds for an Excel export.
    pub fn export_compounds(&self, actor: &Actor) -> AppResult<Vec<Compound>> {
        actor.require(Resource::Compound, Action::Export)?;
        self.list_compounds(actor)
    }
}
