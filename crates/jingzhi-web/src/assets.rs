//! The stylesheet (our own; no third-party CSS or JavaScript).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const CSS: &str = include_str!("../assets/app.css");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/assets/app.css", get(|| async { css(CSS) }))
        .route(
            "/assets/document.css",
            get(|| async { css(crate::ui::documents::DOCUMENT_CSS) }),
        )
}

fn css(body: &'static str) -> axum::response::Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}
