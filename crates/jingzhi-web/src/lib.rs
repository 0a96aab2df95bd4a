//! Jingzhi's web layer: the only crate that knows HTTP and HTML.
//!
//! - `ui`: server-rendered Chinese pages (askama templates in `templates/`), working without
//!   JavaScript and fitting a phone. Forms carry a CSRF token; validation failures re-render the
//!   form with what was typed.
//! - `api`: the JSON API under `/api/v1` (session cookie or `Authorization: Bearer` API key), with
//!   its OpenAPI 3 document generated from the handlers (`/api/v1/openapi.json`). Errors are
//!   `{"code": "...", "message": "中文…"}`.
//! - operations: `/healthz`, `/readyz`, `/metrics` (Prometheus, labelled by route pattern).
//!
//! Every handler calls the application layer on a blocking thread (the store is synchronous).
#![forbid(unsafe_code)]

mod api;
mod assets;
mod error;
mod extract;
mod metrics;
mod modules;
mod open311;
mod ui;

pub use error::WebError;
pub use metrics::Metrics;
pub use ui::documents::{render_document, render_document_standalone, render_document_with_back};

use axum::Router;
use jingzhi_app::App;
use std::sync::Arc;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Product title shown in the header.
    pub site_name: String,
    /// Shown on every page when the server runs on the demo dataset.
    pub demo: bool,
    /// Behind a reverse proxy: take the client address from `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// Serve `POST /bench/insert` (the write baseline of docs/BENCHMARKS.md). Off in production.
    pub bench_endpoints: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            site_name: "精治 · 长宁城管执法".into(),
            demo: false,
            trust_proxy: false,
            bench_endpoints: false,
        }
    }
}

#[derive(Clone)]
pub struct WebState {
    pub app: App,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
}

impl WebState {
    pub fn new(app: App, config: WebConfig) -> WebState {
        WebState {
            app,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
        }
    }
}

/// The whole HTTP surface.
pub fn router(state: WebState) -> Router {
    let (api_router, openapi) = api::router();
    let bench = if state.config.bench_endpoints {
        Router::new().route(
            "/bench/insert",
            axum::routing::post(|axum::extract::State(s): axum::extract::State<WebState>| async move {
                use axum::response::IntoResponse;
                let app = s.app.clone();
                match blocking(move || app.bench_insert()).await {
                    Ok(id) => id.to_string().into_response(),
                    Err(e) => error::ApiError(e).into_response(),
                }
            }),
        )
    } else {
        Router::new()
    };
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(ui::router())
        .merge(api_router)
        .merge(open311::router())
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route("/readyz", axum::routing::get(ready))
        .route("/metrics", axum::routing::get(metrics::render))
        .merge(assets::router())
        .merge(bench)
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(extract::security_headers))
        .with_state(state)
}

async fn ready(axum::extract::State(s): axum::extract::State<WebState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let store = s.app.store.clone();
    match tokio::task::spawn_blocking(move || store.ping()).await {
        Ok(Ok(())) => "ready".into_response(),
        _ => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}

/// Runs blocking application code off the async executor.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, jingzhi_app::AppError> + Send + 'static,
) -> Result<T, jingzhi_app::AppError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "blocking task failed");
            Err(jingzhi_app::AppError::new(jingzhi_app::ErrorCode::Internal))
        }
    }
}
