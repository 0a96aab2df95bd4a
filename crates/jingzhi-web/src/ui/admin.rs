//! Administration pages: org units, compounds, users, API keys, the audit trail. Every list has
//! filters, an empty state and an Excel export.

use super::auth::forced_change;
use super::page::{FormState, Layout, render, xlsx_response};
use crate::error::WebError;
use crate::extract::{FormData, User, check_csrf};
use crate::{WebState, blocking};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jingzhi_app::audit::AuditFilter;
use jingzhi_app::orgs::{CompoundInput, OrgInput};
use jingzhi_app::users::UserInput;
use jingzhi_app::{Actor, AppError, ErrorCode};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::org::{Compound, DepartmentKind, OrgKind, OrgUnit, Street};
use jingzhi_domain::role::Role;
use jingzhi_domain::time::short_datetime;
use jingzhi_office::{Cell, Sheet};
use serde::Deserialize;

type Opt = (String, String);

fn contains(hay: &str, q: &str) -> bool {
    q.is_empty() || hay.to_lowercase().contains(&q.to_lowercase())
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct IndexPage {
    layout: Layout,
    links: Vec<(&'static str, &'static str, &'static str)>,
}

pub async fn index(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    let mut links = Vec::new();
    if a.can(Resource::OrgUnit, Action::View) {
        links.push((
            "/admin/orgs",
            "组织机构",
            "区局、街镇执法队、指挥中心、管理部门、物业服务企业、居委会、网格",
        ));
    }
    if a.can(Resource::Compound, Action::View) {
        links.push(("/admin/compounds", "小区", "住宅小区及其物业服务企业、坐标"));
    }
    if a.can(Resource::User, Action::View) {
        links.push(("/admin/users", "用户", "账户、角色、执法证号、停用与重置密码"));
    }
    if a.can(Resource::ApiKey, Action::View) {
        links.push((
            "/admin/api-keys",
            "接口密钥",
            "12345平台、Open311等机器客户端的访问密钥",
        ));
    }
    if a.can(Resource::AuditLog, Action::View) {
        links.push(("/admin/audit", "审计日志", "全部数据变更记录与哈希链校验"));
    }
    if a.can(Resource::CaseSetting, Action::Update) {
        links.push((
            "/case-settings",
            "办案设置",
            "听证、法制审核、集体讨论的阈值，文书中的复议机关、法院与缴款渠道",
        ));
    }
    if links.is_empty() {
        return Err(WebError(AppError::new(ErrorCode::Forbidden)));
    }
    Ok(render(&IndexPage {
        layout: Layout::new(&s, Some(&a), "系统管理", "admin"),
        links,
    }))
}

// ---------------------------------------------------------------- org units

pub struct OrgRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub street: String,
    pub parent: String,
    pub phone: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin/orgs.html")]
struct OrgsPage {
    layout: Layout,
    rows: Vec<OrgRow>,
    q: String,
    kind: String,
    kinds: Vec<Opt>,
    can_create: bool,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
pub struct OrgQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    msg: String,
}

fn kinds() -> Vec<Opt> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), k.label().to_string()))
        .collect()
}

fn street_name(streets: &[Street], code: Option<&str>) -> String {
    code.and_then(|c| streets.iter().find(|s| s.code.as_str() == c))
        .map(|s| s.name.clone())
        .unwrap_or_default()
}

async fn org_rows(s: &WebState, a: &Actor, q: &OrgQuery, export: bool) -> Result<(Vec<OrgRow>, Vec<Street>), WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let (orgs, streets) = blocking(move || {
        let orgs = if export {
            app.export_orgs(&actor)?
        } else {
            app.list_orgs(&actor)?
        };
        Ok((orgs, app.list_streets(&actor)?))
    })
    .await?;
    let rows = orgs
        .iter()
        .filter(|o| q.kind.is_empty() || o.kind.code() == q.kind)
        .filter(|o| contains(&o.name, &q.q) || contains(&o.code, &q.q))
        .map(|o| OrgRow {
            id: o.id,
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.label(),
            street: street_name(&streets, o.street_code.as_ref().map(|c| c.as_str())),
            parent: o
                .parent_id
                .and_then(|p| orgs.iter().find(|x| x.id == p))
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            phone: o.phone.clone().unwrap_or_default(),
            active: o.active,
        })
        .collect();
    Ok((rows, streets))
}

pub async fn orgs(State(s): State<WebState>, User(a): User, Query(q): Query<OrgQuery>) -> Result<Response, WebError> {
    forced_change(&a)?;
    let (rows, _) = org_rows(&s, &a, &q, false).await?;
    let mut layout = Layout::new(&s, Some(&a), "组织机构", "admin");
    if q.msg == "saved" {
        layout = layout.flash_ok("已保存。");
    }
    Ok(render(&OrgsPage {
        layout,
        rows,
        q: q.q.clone(),
        kind: q.kind.clone(),
        kinds: kinds(),
        can_create: a.can(Resource::OrgUnit, Action::Create),
        can_edit: a.can(Resource::OrgUnit, Action::Update),
    }))
}

pub async fn orgs_xlsx(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<OrgQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let (rows, _) = org_rows(&s, &a, &q, true).await?;
    xlsx_response(
        "组织机构.xlsx",
        Sheet {
            name: "组织机构".into(),
            title: format!("组织机构（共{}个）", rows.len()),
            headers: ["代码", "名称", "类型", "所属街镇", "上级单位", "电话", "状态"]
                .map(String::from)
                .to_vec(),
            rows: rows
                .into_iter()
                .map(|r| {
                    vec![
                        r.code.into(),
                        r.name.into(),
                        r.kind.into(),
                        r.street.into(),
                        r.parent.into(),
                        r.phone.into(),
                        (if r.active { "启用" } else { "停用" }).into(),
                    ]
                })
                .collect(),
            red_rows: Vec::new(),
        },
    )
}

#[derive(Template)]
#[template(path = "admin/org_form.html")]
struct OrgForm {
    layout: Layout,
    heading: String,
    action: String,
    form: FormState,
    kinds: Vec<Opt>,
    streets: Vec<Opt>,
    department_kinds: Vec<Opt>,
    parents: Vec<Opt>,
}

async fn org_form(
    s: &WebState,
    a: &Actor,
    heading: String,
    action: String,
    form: FormState,
) -> Result<OrgForm, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let (orgs, streets) = blocking(move || Ok((app.list_orgs(&actor)?, app.list_streets(&actor)?))).await?;
    Ok(OrgForm {
        layout: Layout::new(s, Some(a), heading.clone(), "admin"),
        heading,
        action,
        form,
        kinds: kinds(),
        streets: streets.iter().map(|s| (s.code.to_string(), s.name.clone())).collect(),
        department_kinds: DepartmentKind::ALL
            .iter()
            .map(|d| (d.code().to_string(), d.label().to_string()))
            .collect(),
        parents: orgs
            .iter()
            .filter(|o| !matches!(o.kind, OrgKind::Grid | OrgKind::PropertyCompany))
            .map(|o| (o.id.to_string(), format!("{}（{}）", o.name, o.kind.label())))
            .collect(),
    })
}

fn org_input(f: &FormData) -> OrgInput {
    OrgInput {
        parent_id: f.opt_i64("parent_id"),
        kind: OrgKind::from_code(f.get("kind")),
        code: f.get("code").into(),
        name: f.get("name").into(),
        street_code: f.get("street_code").into(),
        department_kind: DepartmentKind::from_code(f.get("department_kind")),
        phone: f.get("phone").into(),
        address: f.get("address").into(),
        active: f.checked("active"),
    }
}

fn org_values(o: &OrgUnit) -> FormState {
    let mut f = FormState::default();
    f.set("kind", o.kind.code());
    f.set("code", o.code.clone());
    f.set("name", o.name.clone());
    f.set(
        "street_code",
        o.street_code.as_ref().map(|c| c.to_string()).unwrap_or_default(),
    );
    f.set(
        "department_kind",
        o.department_kind.map(|d| d.code()).unwrap_or_default(),
    );
    f.set("parent_id", o.parent_id.map(|p| p.to_string()).unwrap_or_default());
    f.set("phone", o.phone.clone().unwrap_or_default());
    f.set("address", o.address.clone().unwrap_or_default());
    if o.active {
        f.set("active", "on");
    }
    f
}

pub async fn new_org(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    a.require(Resource::OrgUnit, Action::Create)?;
    let mut f = FormState::default();
    f.set("active", "on");
    Ok(render(
        &org_form(&s, &a, "新建组织机构".into(), "/admin/orgs".into(), f).await?,
    ))
}

pub async fn create_org(State(s): State<WebState>, User(a): User, form: FormData) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let input = org_input(&form);
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.create_org(&actor, &input)).await {
        Ok(_) => Ok(Redirect::to("/admin/orgs?msg=saved").into_response()),
        Err(e) if e.kind() == jingzhi_app::ErrorKind::Invalid => {
            let page = org_form(
                &s,
                &a,
                "新建组织机构".into(),
                "/admin/orgs".into(),
                FormState::from_pairs(form.0).with_error(&e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_org(State(s): State<WebState>, User(a): User, Path(id): Path<i64>) -> Result<Response, WebError> {
    forced_change(&a)?;
    a.require(Resource::OrgUnit, Action::Update)?;
    let app = s.app.clone();
    let actor = a.clone();
    let o = blocking(move || app.get_org(&actor, id)).await?;
    Ok(render(
        &org_form(
            &s,
            &a,
            format!("编辑：{}", o.name),
            format!("/admin/orgs/{id}"),
            org_values(&o),
        )
        .await?,
    ))
}

pub async fn update_org(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let input = org_input(&form);
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.update_org(&actor, id, &input)).await {
        Ok(()) => Ok(Redirect::to("/admin/orgs?msg=saved").into_response()),
        Err(e) if e.kind() == jingzhi_app::ErrorKind::Invalid => {
            let page = org_form(
                &s,
                &a,
                "编辑组织机构".into(),
                format!("/admin/orgs/{id}"),
                FormState::from_pairs(form.0).with_error(&e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- compounds

pub struct CompoundRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub address: String,
    pub street: String,
    pub community: String,
    pub company: String,
    pub households: String,
    pub point: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin/compounds.html")]
struct CompoundsPage {
    layout: Layout,
    rows: Vec<CompoundRow>,
    q: String,
    street: String,
    streets: Vec<Opt>,
    can_create: bool,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
pub struct CompoundQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    msg: String,
}

async fn compound_rows(
    s: &WebState,
    a: &Actor,
    q: &CompoundQuery,
    export: bool,
) -> Result<(Vec<CompoundRow>, Vec<Street>), WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let (list, orgs, streets) = blocking(move || {
        let list: Vec<Compound> = if export {
            app.export_compounds(&actor)?
        } else {
            app.list_compounds(&actor)?
        };
        Ok((list, app.list_orgs(&actor)?, app.list_streets(&actor)?))
    })
    .await?;
    let name_of = |id: Option<i64>| {
        id.and_then(|i| orgs.iter().find(|o| o.id == i))
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let rows = list
        .iter()
        .filter(|c| q.street.is_empty() || c.street_code.as_str() == q.street)
        .filter(|c| contains(&c.name, &q.q) || contains(&c.address, &q.q) || contains(&c.code, &q.q))
        .map(|c| CompoundRow {
            id: c.id,
            code: c.code.clone(),
            name: c.name.clone(),
            address: c.address.clone(),
            street: street_name(&streets, Some(c.street_code.as_str())),
            community: name_of(c.community_id),
            company: name_of(c.property_company_id),
            households: c.households.map(|h| h.to_string()).unwrap_or_default(),
            point: match (c.lng, c.lat) {
                (Some(x), Some(y)) => format!("{x:.4}, {y:.4}"),
                _ => String::new(),
            },
            active: c.active,
        })
        .collect();
    Ok((rows, streets))
}

pub async fn compounds(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<CompoundQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let (rows, streets) = compound_rows(&s, &a, &q, false).await?;
    let mut layout = Layout::new(&s, Some(&a), "小区", "admin");
    if q.msg == "saved" {
        layout = layout.flash_ok("已保存。");
    }
    Ok(render(&CompoundsPage {
        layout,
        rows,
        q: q.q.clone(),
        street: q.street.clone(),
        streets: streets.iter().map(|s| (s.code.to_string(), s.name.clone())).collect(),
        can_create: a.can(Resource::Compound, Action::Create),
        can_edit: a.can(Resource::Compound, Action::Update),
    }))
}

pub async fn compounds_xlsx(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<CompoundQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let (rows, _) = compound_rows(&s, &a, &q, true).await?;
    xlsx_response(
        "小区.xlsx",
        Sheet {
            name: "小区".into(),
            title: format!("小区（共{}个）", rows.len()),
            headers: [
                "代码",
                "名称",
                "地址",
                "街镇",
                "居委会",
                "物业服务企业",
                "户数",
                "坐标(WGS84)",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .into_iter()
                .map(|r| {
                    vec![
                        r.code.into(),
                        r.name.into(),
                        r.address.into(),
                        r.street.into(),
                        r.community.into(),
                        r.company.into(),
                        r.households.into(),
                        r.point.into(),
                    ]
                })
                .collect(),
            red_rows: Vec::new(),
        },
    )
}

#[derive(Template)]
#[template(path = "admin/compound_form.html")]
struct CompoundForm {
    layout: Layout,
    heading: String,
    action: String,
    form: FormState,
    streets: Vec<Opt>,
    communities: Vec<Opt>,
    companies: Vec<Opt>,
}

async fn compound_form(
    s: &WebState,
    a: &Actor,
    heading: String,
    action: String,
    form: FormState,
) -> Result<CompoundForm, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let (orgs, streets) = blocking(move || Ok((app.list_orgs(&actor)?, app.list_streets(&actor)?))).await?;
    let of = |k: OrgKind| {
        orgs.iter()
            .filter(|o| o.kind == k)
            .map(|o| (o.id.to_string(), o.name.clone()))
            .collect()
    };
    Ok(CompoundForm {
        layout: Layout::new(s, Some(a), heading.clone(), "admin"),
        heading,
        action,
        form,
        streets: streets.iter().map(|s| (s.code.to_string(), s.name.clone())).collect(),
        communities: of(OrgKind::Community),
        companies: of(OrgKind::PropertyCompany),
    })
}

fn compound_input(f: &FormData) -> CompoundInput {
    CompoundInput {
        code: f.get("code").into(),
        name: f.get("name").into(),
        address: f.get("address").into(),
        street_code: f.get("street_code").into(),
        community_id: f.opt_i64("community_id"),
        property_company_id: f.opt_i64("property_company_id"),
        lng: f.get("lng").into(),
        lat: f.get("lat").into(),
        households: f.get("households").into(),
        active: f.checked("active"),
    }
}

pub async fn new_compound(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    a.require(Resource::Compound, Action::Create)?;
    let mut f = FormState::default();
    f.set("active", "on");
    Ok(render(
        &compound_form(&s, &a, "新建小区".into(), "/admin/compounds".into(), f).await?,
    ))
}

pub async fn create_compound(State(s): State<WebState>, User(a): User, form: FormData) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let input = compound_input(&form);
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.create_compound(&actor, &input)).await {
        Ok(_) => Ok(Redirect::to("/admin/compounds?msg=saved").into_response()),
        Err(e) if e.kind() == jingzhi_app::ErrorKind::Invalid => {
            let page = compound_form(
                &s,
                &a,
                "新建小区".into(),
                "/admin/compounds".into(),
                FormState::from_pairs(form.0).with_error(&e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_compound(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    a.require(Resource::Compound, Action::Update)?;
    let app = s.app.clone();
    let actor = a.clone();
    let c = blocking(move || app.get_compound(&actor, id)).await?;
    let mut f = FormState::default();
    f.set("code", c.code.clone());
    f.set("name", c.name.clone());
    f.set("address", c.address.clone());
    f.set("street_code", c.street_code.to_string());
    f.set(
        "community_id",
        c.community_id.map(|v| v.to_string()).unwrap_or_default(),
    );
    f.set(
        "property_company_id",
        c.property_company_id.map(|v| v.to_string()).unwrap_or_default(),
    );
    f.set("lng", c.lng.map(|v| v.to_string()).unwrap_or_default());
    f.set("lat", c.lat.map(|v| v.to_string()).unwrap_or_default());
    f.set("households", c.households.map(|v| v.to_string()).unwrap_or_default());
    if c.active {
        f.set("active", "on");
    }
    Ok(render(
        &compound_form(&s, &a, format!("编辑：{}", c.name), format!("/admin/compounds/{id}"), f).await?,
    ))
}

pub async fn update_compound(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let input = compound_input(&form);
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.update_compound(&actor, id, &input)).await {
        Ok(()) => Ok(Redirect::to("/admin/compounds?msg=saved").into_response()),
        Err(e) if e.kind() == jingzhi_app::ErrorKind::Invalid => {
            let page = compound_form(
                &s,
                &a,
                "编辑小区".into(),
                format!("/admin/compounds/{id}"),
                FormState::from_pairs(form.0).with_error(&e),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- users

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: String,
    pub org: String,
    pub certificate_no: String,
    pub last_login: String,
    pub active: bool,
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    rows: Vec<UserRow>,
    q: String,
    role: String,
    roles: Vec<Opt>,
    can_create: bool,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
pub struct UserQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    msg: String,
}

fn role_opts() -> Vec<Opt> {
    Role::ALL
        .iter()
        .map(|r| (r.code().to_string(), r.label().to_string()))
        .collect()
}

async fn user_rows(s: &WebState, a: &Actor, q: &UserQuery, export: bool) -> Result<Vec<UserRow>, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let list = blocking(move || {
        if export {
            app.export_users(&actor)
        } else {
            app.list_users(&actor)
        }
    })
    .await?;
    let now = s.app.now();
    Ok(list
        .into_iter()
        .filter(|(u, _)| q.role.is_empty() || u.roles.iter().any(|r| r.code() == q.role))
        .filter(|(u, _)| {
            contains(&u.username, &q.q)
                || contains(&u.display_name, &q.q)
                || contains(u.certificate_no.as_deref().unwrap_or(""), &q.q)
        })
        .map(|(u, o)| UserRow {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            roles: u.role_labels(),
            org: o.name.clone(),
            certificate_no: u.certificate_no.clone().unwrap_or_default(),
            last_login: u.last_login_at.map(short_datetime).unwrap_or_else(|| "从未".into()),
            active: u.active,
            locked: u.locked_until.is_some_and(|t| t > now),
        })
        .collect())
}

pub async fn users(State(s): State<WebState>, User(a): User, Query(q): Query<UserQuery>) -> Result<Response, WebError> {
    forced_change(&a)?;
    let rows = user_rows(&s, &a, &q, false).await?;
    let mut layout = Layout::new(&s, Some(&a), "用户", "admin");
    match q.msg.as_str() {
        "saved" => layout = layout.flash_ok("已保存。"),
        "disabled" => layout = layout.flash_ok("账户已停用，该用户已被登出。"),
        "enabled" => layout = layout.flash_ok("账户已重新启用。"),
        _ => {}
    }
    Ok(render(&UsersPage {
        layout,
        rows,
        q: q.q.clone(),
        role: q.role.clone(),
        roles: role_opts(),
        can_create: a.can(Resource::User, Action::Create),
        can_edit: a.can(Resource::User, Action::Update),
    }))
}

pub async fn users_xlsx(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<UserQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let rows = user_rows(&s, &a, &q, true).await?;
    let red: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.locked || !r.active)
        .map(|(i, _)| i)
        .collect();
    xlsx_response(
        "用户.xlsx",
        Sheet {
            name: "用户".into(),
            title: format!("用户（共{}人）", rows.len()),
            headers: ["用户名", "姓名", "角色", "所属单位", "执法证号", "最近登录", "状态"]
                .map(String::from)
                .to_vec(),
            rows: rows
                .into_iter()
                .map(|r| {
                    let status = if r.locked {
                        "已锁定"
                    } else if r.active {
                        "启用"
                    } else {
                        "停用"
                    };
                    vec![
                        r.username.into(),
                        r.display_name.into(),
                        r.roles.into(),
                        r.org.into(),
                        r.certificate_no.into(),
                        r.last_login.into(),
                        Cell::from(status),
                    ]
                })
                .collect(),
            red_rows: red,
        },
    )
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct UserForm {
    layout: Layout,
    heading: String,
    action: String,
    form: FormState,
    orgs: Vec<Opt>,
    roles: Vec<Opt>,
    editing: bool,
    active: bool,
    can_disable: bool,
}

async fn user_form(
    s: &WebState,
    a: &Actor,
    heading: String,
    action: String,
    form: FormState,
    editing: bool,
    active: bool,
) -> Result<UserForm, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let orgs = blocking(move || app.list_orgs(&actor)).await?;
    Ok(UserForm {
        layout: Layout::new(s, Some(a), heading.clone(), "admin"),
        heading,
        action,
        form,
        orgs: orgs
            .iter()
            .map(|o| (o.id.to_string(), format!("{}（{}）", o.name, o.kind.label())))
            .collect(),
        roles: role_opts(),
        editing,
        active,
        can_disable: a.can(Resource::User, Action::Disable),
    })
}

fn user_input(f: &FormData) -> UserInput {
    UserInput {
        username: f.get("username").into(),
        display_name: f.get("display_name").into(),
        org_id: f.opt_i64("org_id").unwrap_or(0),
        phone: f.get("phone").into(),
        certificate_no: f.get("certificate_no").into(),
        roles: f.all("roles").into_iter().filter_map(Role::from_code).collect(),
    }
}

#[derive(Template)]
#[template(path = "admin/secret.html")]
struct SecretPage {
    layout: Layout,
    heading: String,
    intro: String,
    secret: String,
    note: String,
    back: String,
}

pub async fn new_user(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    a.require(Resource::User, Action::Create)?;
    Ok(render(
        &user_form(
            &s,
            &a,
            "新建用户".into(),
            "/admin/users".into(),
            FormState::default(),
            false,
            true,
        )
        .await?,
    ))
}

pub async fn create_user(State(s): State<WebState>, User(a): User, form: FormData) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let input = user_input(&form);
    let app = s.app.clone();
    let actor = a.clone();
    let username = input.username.clone();
    match blocking(move || app.create_user(&actor, &input)).await {
        Ok(created) => Ok(render(&SecretPage {
            layout: Layout::new(&s, Some(&a), "用户已创建", "admin"),
            heading: "用户已创建".into(),
            intro: format!("用户 {username} 已创建。请将以下临时密码当面或通过安全渠道告知本人："),
            secret: created.temporary_password,
            note: "临时密码只显示这一次。本人首次登录后须立即修改密码。".into(),
            back: "/admin/users".into(),
        })),
        Err(e) if e.kind() == jingzhi_app::ErrorKind::Invalid => {
            let page = user_form(
                &s,
                &a,
                "新建用户".into(),
                "/admin/users".into(),
                FormState::from_pairs(form.0).with_error(&e),
                false,
                true,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_user(State(s): State<WebState>, User(a): User, Path(id): Path<i64>) -> Result<Response, WebError> {
    forced_change(&a)?;
    a.require(Resource::User, Action::Update)?;
    let app = s.app.clone();
    let actor = a.clone();
    let (u, _) = blocking(move || app.get_user(&actor, id)).await?;
    let mut f = FormState::default();
    f.set("username", u.username.clone());
    f.set("display_name", u.display_name.clone());
    f.set("org_id", u.org_id.to_string());
    f.set("phone", u.phone.clone().unwrap_or_default());
    f.set("certificate_no", u.certificate_no.clone().unwrap_or_default());
    for r in &u.roles {
        f.add("roles", r.code());
    }
    Ok(render(
        &user_form(
            &s,
            &a,
            format!("编辑用户：{}", u.display_name),
            format!("/admin/users/{id}"),
            f,
            true,
            u.active,
        )
        .await?,
    ))
}

pub async fn update_user(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let input = user_input(&form);
    let app = s.app.clone();
    let actor = a.clone();
    match blocking(move || app.update_user(&actor, id, &input)).await {
        Ok(()) => Ok(Redirect::to("/admin/users?msg=saved").into_response()),
        Err(e) if e.kind() == jingzhi_app::ErrorKind::Invalid => {
            let page = user_form(
                &s,
                &a,
                "编辑用户".into(),
                format!("/admin/users/{id}"),
                FormState::from_pairs(form.0).with_error(&e),
                true,
                true,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_active(s: WebState, a: Actor, id: i64, form: FormData, active: bool) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let app = s.app.clone();
    blocking(move || app.set_user_active(&a, id, active)).await?;
    Ok(Redirect::to(if active {
        "/admin/users?msg=enabled"
    } else {
        "/admin/users?msg=disabled"
    })
    .into_response())
}

pub async fn disable_user(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    set_active(s, a, id, form, false).await
}

pub async fn enable_user(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    set_active(s, a, id, form, true).await
}

pub async fn reset_password(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let app = s.app.clone();
    let actor = a.clone();
    let password = blocking(move || app.reset_password(&actor, id)).await?;
    Ok(render(&SecretPage {
        layout: Layout::new(&s, Some(&a), "密码已重置", "admin"),
        heading: "密码已重置".into(),
        intro: "该用户已被登出。请将以下临时密码告知本人：".into(),
        secret: password,
        note: "临时密码只显示这一次。本人登录后须立即修改密码。".into(),
        back: format!("/admin/users/{id}"),
    }))
}

// ---------------------------------------------------------------- API keys

pub struct KeyRow {
    pub id: i64,
    pub prefix: String,
    pub name: String,
    pub org: String,
    pub roles: String,
    pub created: String,
    pub last_used: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin/api_keys.html")]
struct KeysPage {
    layout: Layout,
    rows: Vec<KeyRow>,
    form: FormState,
    orgs: Vec<Opt>,
    roles: Vec<Opt>,
}

async fn keys_page(s: &WebState, a: &Actor, form: FormState) -> Result<KeysPage, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let (keys, orgs) = blocking(move || Ok((app.list_api_keys(&actor)?, app.list_orgs(&actor)?))).await?;
    Ok(KeysPage {
        layout: Layout::new(s, Some(a), "接口密钥", "admin"),
        rows: keys
            .iter()
            .map(|k| KeyRow {
                id: k.id,
                prefix: k.prefix.clone(),
                name: k.name.clone(),
                org: orgs
                    .iter()
                    .find(|o| o.id == k.org_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default(),
                roles: k.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join("、"),
                created: short_datetime(k.created_at),
                last_used: k.last_used_at.map(short_datetime).unwrap_or_else(|| "从未".into()),
                active: k.active,
            })
            .collect(),
        form,
        orgs: orgs
            .iter()
            .map(|o| (o.code.clone(), format!("{}（{}）", o.name, o.kind.label())))
            .collect(),
        roles: Role::ALL
            .iter()
            .filter(|r| **r != Role::Admin)
            .map(|r| (r.code().to_string(), r.label().to_string()))
            .collect(),
    })
}

pub async fn api_keys(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    let mut f = FormState::default();
    f.set("org", "dispatch");
    Ok(render(&keys_page(&s, &a, f).await?))
}

pub async fn create_api_key(State(s): State<WebState>, User(a): User, form: FormData) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let app = s.app.clone();
    let actor = a.clone();
    let (name, org) = (form.get("name").to_string(), form.get("org").to_string());
    let roles: Vec<Role> = form.all("roles").into_iter().filter_map(Role::from_code).collect();
    match blocking(move || app.create_api_key(&actor, &name, &org, &roles, None)).await {
        Ok(k) => Ok(render(&SecretPage {
            layout: Layout::new(&s, Some(&a), "接口密钥已创建", "admin"),
            heading: "接口密钥已创建".into(),
            intro: format!("密钥 {} 已创建。请复制以下完整密钥，配置到调用方：", k.prefix),
            secret: k.key,
            note: "完整密钥只显示这一次，系统只保存其哈希。遗失后请停用并重新创建。".into(),
            back: "/admin/api-keys".into(),
        })),
        Err(e) if e.kind() == jingzhi_app::ErrorKind::Invalid => {
            let page = keys_page(&s, &a, FormState::from_pairs(form.0).with_error(&e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn disable_api_key(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let app = s.app.clone();
    blocking(move || app.disable_api_key(&a, id)).await?;
    Ok(Redirect::to("/admin/api-keys").into_response())
}

// ---------------------------------------------------------------- audit

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: String,
    pub after: String,
    pub hash: String,
}

pub struct VerifyView {
    pub ok: bool,
    pub text: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<AuditRow>,
    entity: String,
    entity_id: String,
    action: String,
    next_before: Option<i64>,
    verify: Option<VerifyView>,
    can_verify: bool,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    before: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        let o = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        AuditFilter {
            entity: o(&self.entity),
            entity_id: o(&self.entity_id),
            actor_user_id: None,
            action_prefix: o(&self.action),
            before_seq: self.before,
        }
    }
}

fn pretty(j: Option<&str>) -> String {
    match j {
        None => String::new(),
        Some(s) => serde_json::from_str::<serde_json::Value>(s)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| s.to_string()),
    }
}

const AUDIT_PAGE: i64 = 50;

async fn audit_page(
    s: &WebState,
    a: &Actor,
    q: &AuditQuery,
    verify: Option<VerifyView>,
) -> Result<AuditPage, WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    let f = q.filter();
    let rows = blocking(move || app.list_audit(&actor, &f, AUDIT_PAGE)).await?;
    let next_before = (rows.len() as i64 == AUDIT_PAGE)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    Ok(AuditPage {
        layout: Layout::new(s, Some(a), "审计日志", "admin"),
        rows: rows
            .iter()
            .map(|r| AuditRow {
                seq: r.seq,
                at: jingzhi_domain::time::parse_ts(&r.at)
                    .map(short_datetime)
                    .unwrap_or_else(|_| r.at.clone()),
                actor: r.actor_name.clone(),
                action: r.action.clone(),
                entity: format!("{} #{}", r.entity, r.entity_id),
                before: pretty(r.before.as_deref()),
                after: pretty(r.after.as_deref()),
                hash: r.hash[..12].to_string(),
            })
            .collect(),
        entity: q.entity.clone(),
        entity_id: q.entity_id.clone(),
        action: q.action.clone(),
        next_before,
        verify,
        can_verify: a.can(Resource::AuditLog, Action::Verify),
    })
}

pub async fn audit(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    Ok(render(&audit_page(&s, &a, &q, None).await?))
}

pub async fn verify_audit(State(s): State<WebState>, User(a): User, form: FormData) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let app = s.app.clone();
    let actor = a.clone();
    let report = blocking(move || app.verify_audit(&actor, &mut |_| {})).await?;
    let view = match &report.broken {
        None => VerifyView {
            ok: true,
            text: format!("审计链完整：已校验 {} 条记录，未发现篡改。", report.checked),
        },
        Some((seq, why)) => VerifyView {
            ok: false,
            text: format!("审计链在第 {seq} 条记录处断开：{why}"),
        },
    };
    Ok(render(&audit_page(&s, &a, &AuditQuery::default(), Some(view)).await?))
}

pub async fn audit_xlsx(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let app = s.app.clone();
    let actor = a.clone();
    let f = q.filter();
    let rows = blocking(move || app.export_audit(&actor, &f)).await?;
    xlsx_response(
        "审计日志.xlsx",
        Sheet {
            name: "审计日志".into(),
            title: format!("审计日志（{}条）", rows.len()),
            headers: [
                "序号",
                "时间(UTC)",
                "操作人",
                "操作",
                "对象",
                "对象编号",
                "变更前",
                "变更后",
                "前一哈希",
                "哈希",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .into_iter()
                .map(|r| {
                    vec![
                        Cell::Int(r.seq),
                        r.at.into(),
                        r.actor_name.into(),
                        r.action.into(),
                        r.entity.into(),
                        r.entity_id.into(),
                        r.before.unwrap_or_default().into(),
                        r.after.unwrap_or_default().into(),
                        r.prev_hash.into(),
                        r.hash.into(),
                    ]
                })
                .collect(),
            red_rows: Vec::new(),
        },
    )
}
