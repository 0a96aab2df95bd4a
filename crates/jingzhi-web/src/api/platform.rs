//! Platform endpoints: who am I, org units, compounds, users, audit.

use crate::error::{ApiError, ApiErrorBody};
use crate::extract::ApiUser;
use crate::{WebState, blocking};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jingzhi_app::audit::AuditFilter;
use jingzhi_app::orgs::OrgInput;
use jingzhi_app::users::UserInput;
use jingzhi_domain::org::{Compound, DepartmentKind, OrgKind, OrgUnit};
use jingzhi_domain::role::Role;
use jingzhi_domain::time::format_ts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_orgs, create_org))
        .routes(routes!(get_org))
        .routes(routes!(list_compounds))
        .routes(routes!(list_users, create_user))
        .routes(routes!(list_audit))
}

type ApiResult<T> = Result<T, ApiError>;

/// The caller.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user_id: Option<i64>,
    pub name: String,
    pub display_name: String,
    /// Role codes (see docs/glossary.md).
    pub roles: Vec<String>,
    pub org: OrgDto,
    /// 数据范围（中文说明）
    pub scope: String,
}

#[derive(Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// `district_bureau`, `street_team`, `dispatch_center`, `property_company`, `department`, `community`, `grid`
    pub kind: String,
    pub kind_label: String,
    pub parent_id: Option<i64>,
    pub street_code: Option<String>,
    pub department_kind: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub active: bool,
}

impl From<&OrgUnit> for OrgDto {
    fn from(o: &OrgUnit) -> Self {
        OrgDto {
            id: o.id,
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.code().into(),
            kind_label: o.kind.label().into(),
            parent_id: o.parent_id,
            street_code: o.street_code.as_ref().map(|c| c.to_string()),
            department_kind: o.department_kind.map(|d| d.code().to_string()),
            phone: o.phone.clone(),
            address: o.address.clone(),
            active: o.active,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/me", tag = "platform", responses(
    (status = 200, description = "The caller", body = Me),
    (status = 401, description = "Not authenticated", body = ApiErrorBody)))]
async fn me(ApiUser(a): ApiUser) -> Json<Me> {
    Json(Me {
        user_id: a.user_id,
        name: a.name.clone(),
        display_name: a.display_name.clone(),
        roles: a.roles.iter().map(|r| r.code().to_string()).collect(),
        org: OrgDto::from(&a.org),
        scope: a.scope.describe(),
    })
}

#[utoipa::path(get, path = "/api/v1/orgs", tag = "platform", responses(
    (status = 200, description = "Org units the caller may see", body = Vec<OrgDto>),
    (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn list_orgs(State(s): State<WebState>, ApiUser(a): ApiUser) -> ApiResult<Json<Vec<OrgDto>>> {
    let app = s.app.clone();
    let list = blocking(move || app.list_orgs(&a)).await?;
    Ok(Json(list.iter().map(OrgDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "platform", params(("id" = i64, Path, description = "Org unit id")), responses(
    (status = 200, body = OrgDto), (status = 404, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn get_org(State(s): State<WebState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult<Json<OrgDto>> {
    let app = s.app.clone();
    let o = blocking(move || app.get_org(&a, id)).await?;
    Ok(Json(OrgDto::from(&o)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewOrg {
    pub kind: String,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub street_code: Option<String>,
    #[serde(default)]
    pub department_kind: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/orgs", tag = "platform", request_body = NewOrg, responses(
    (status = 201, body = OrgDto), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn create_org(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    super::ApiJson(b): super::ApiJson<NewOrg>,
) -> ApiResult<(StatusCode, Json<OrgDto>)> {
    let app = s.app.clone();
    let input = OrgInput {
        parent_id: b.parent_id,
        kind: OrgKind::from_code(&b.kind),
        code: b.code,
        name: b.name,
        street_code: b.street_code.unwrap_or_default(),
        department_kind: b.department_kind.as_deref().and_then(DepartmentKind::from_code),
        phone: b.phone.unwrap_or_default(),
        address: b.address.unwrap_or_default(),
        active: true,
    };
    let o = blocking(move || {
        let id = app.create_org(&a, &input)?;
        app.get_org(&a, id)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(OrgDto::from(&o))))
}

#[derive(Serialize, ToSchema)]
pub struct CompoundDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub address: String,
    pub street_code: String,
    pub community_id: Option<i64>,
    pub property_company_id: Option<i64>,
    /// WGS84
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub households: Option<i64>,
    pub active: bool,
}

impl From<&Compound> for CompoundDto {
    fn from(c: &Compound) -> Self {
        CompoundDto {
            id: c.id,
            code: c.code.clone(),
            name: c.name.clone(),
            address: c.address.clone(),
            street_code: c.street_code.to_string(),
            community_id: c.community_id,
            property_company_id: c.property_company_id,
            lng: c.lng,
            lat: c.lat,
            households: c.households,
            active: c.active,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/compounds", tag = "platform", responses(
    (status = 200, description = "Compounds in the caller's scope", body = Vec<CompoundDto>), (status = 401, body = ApiErrorBody)))]
async fn list_compounds(State(s): State<WebState>, ApiUser(a): ApiUser) -> ApiResult<Json<Vec<CompoundDto>>> {
    let app = s.app.clone();
    let list = blocking(move || app.list_compounds(&a)).await?;
    Ok(Json(list.iter().map(CompoundDto::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub roles: Vec<String>,
    pub certificate_no: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub last_login_at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "platform", responses(
    (status = 200, body = Vec<UserDto>), (status = 403, body = ApiErrorBody)))]
async fn list_users(State(s): State<WebState>, ApiUser(a): ApiUser) -> ApiResult<Json<Vec<UserDto>>> {
    let app = s.app.clone();
    let list = blocking(move || app.list_users(&a)).await?;
    Ok(Json(
        list.into_iter()
            .map(|(u, o)| UserDto {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                org_id: o.id,
                org_name: o.name,
                roles: u.roles.iter().map(|r| r.code().to_string()).collect(),
                certificate_no: u.certificate_no,
                phone: u.phone,
                active: u.active,
                last_login_at: u.last_login_at.map(format_ts),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    /// Role codes.
    pub roles: Vec<String>,
    #[serde(default)]
    pub certificate_no: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub id: i64,
    /// Shown once; the user must change it at first sign-in.
    pub temporary_password: String,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "platform", request_body = NewUser, responses(
    (status = 201, body = CreatedUser), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn create_user(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    super::ApiJson(b): super::ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    let mut roles = Vec::new();
    for r in &b.roles {
        roles.push(
            Role::from_code(r).ok_or_else(|| jingzhi_app::AppError::field("roles", format!("未知的角色代码：{r}")))?,
        );
    }
    let input = UserInput {
        username: b.username,
        display_name: b.display_name,
        org_id: b.org_id,
        phone: b.phone.unwrap_or_default(),
        certificate_no: b.certificate_no.unwrap_or_default(),
        roles,
    };
    let app = s.app.clone();
    let c = blocking(move || app.create_user(&a, &input)).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            id: c.id,
            temporary_password: c.temporary_password,
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct AuditParams {
    /// e.g. `user`, `org_unit`
    entity: Option<String>,
    entity_id: Option<String>,
    /// Action prefix, e.g. `user.`
    action: Option<String>,
    /// Only records older than this sequence number (paging).
    before: Option<i64>,
    /// At most this many (default 100, at most 1000).
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditDto {
    pub seq: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub actor_org_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON text of the state before.
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "platform", params(AuditParams), responses(
    (status = 200, description = "Newest first", body = Vec<AuditDto>), (status = 403, body = ApiErrorBody)))]
async fn list_audit(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Query(p): Query<AuditParams>,
) -> ApiResult<Json<Vec<AuditDto>>> {
    let app = s.app.clone();
    let f = AuditFilter {
        entity: p.entity,
        entity_id: p.entity_id,
        actor_user_id: None,
        action_prefix: p.action,
        before_seq: p.before,
    };
    let limit = p.limit.unwrap_or(100).clamp(1, 1000);
    let rows = blocking(move || app.list_audit(&a, &f, limit)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditDto {
                seq: r.seq,
                at: r.at,
                actor_user_id: r.actor_user_id,
                actor_name: r.actor_name,
                actor_org_id: r.actor_org_id,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                before: r.before,
                after: r.after,
                prev_hash: r.prev_hash,
                hash: r.hash,
            })
            .collect(),
    ))
}
