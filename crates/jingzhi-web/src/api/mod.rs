//! The JSON API under `/api/v1`. Handlers are registered together with their OpenAPI
//! description (utoipa-axum), so the document at `/api/v1/openapi.json` cannot drift from the
//! routes.

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
        .split_for_parts()
}
