//! The JSON API under `/api/v1`. Handlers are registered together with their OpenAPI
//! description (utoipa-axum), so the document at `/api/v1/openapi.json` cannot drift from the
//! routes.

mod cases;
mod clocks;
mod clues;
mod platform;

use crate::WebState;
use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "精治 Jingzhi API",
        description = "长宁区城管执法运行平台接口。认证：`Authorization: Bearer <接口密钥>`，或浏览器会话（写操作需 `X-CSRF-Token`）。错误统一为 `{\"code\": \"...\", \"message\": \"中文说明\"}`，错误代码见 docs/api-errors.md。",
        version = "1"
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = []))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("jzk_…")
                    .build(),
            ),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("jz_session"))),
        );
    }
}

pub fn router() -> (Router<WebState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(platform::routes())
        .merge(clocks::routes())
        .merge(clues::routes())
        .merge(cases::routes())
        .split_for_parts()
}

use crate::error::ApiError;

/// A JSON body whose syntax errors answer as `{"code": "bad_request", "message": …}`.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError(
                jingzhi_app::AppError::new(jingzhi_app::ErrorCode::PayloadTooLarge),
            )),
            Err(e) => Err(ApiError(jingzhi_app::AppError::with_message(
                jingzhi_app::ErrorCode::BadRequest,
                format!("请求体不是有效的JSON或缺少字段：{}", e.body_text()),
            ))),
        }
    }
}
