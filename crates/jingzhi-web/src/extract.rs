//! Who is asking: session cookies, API keys, CSRF, form data, client address, security headers.

use crate::error::{ApiError, WebError};
use crate::{WebState, blocking};
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use jingzhi_app::{Actor, AppError, ErrorCode, Via};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub const SESSION_COOKIE: &str = "jz_session";
pub const PRE_CSRF_COOKIE: &str = "jz_pre";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie value is ASCII")
}

/// The signed-in person, if any.
pub struct MaybeUser(pub Option<Actor>);

impl FromRequestParts<WebState> for MaybeUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<CachedActor>() {
            return Ok(MaybeUser(a.0.clone()));
        }
        let actor = match cookie(&parts.headers, SESSION_COOKIE) {
            // A session read in the last few seconds needs no blocking thread.
            Some(token) if token.len() == 64 => match state.app.session_actor_cached(token) {
                Some(actor) => Some(actor),
                None => {
                    let app = state.app.clone();
                    let token = token.to_string();
                    blocking(move || app.session_actor(&token)).await?
                }
            },
            _ => None,
        };
        parts.extensions.insert(CachedActor(actor.clone()));
        Ok(MaybeUser(actor))
    }
}

#[derive(Clone)]
struct CachedActor(Option<Actor>);

/// A page that requires sign-in: redirects to the sign-in page otherwise.
pub struct User(pub Actor);

pub enum UserRejection {
    Login(String),
    Error(WebError),
}

impl IntoResponse for UserRejection {
    fn into_response(self) -> Response {
        match self {
            UserRejection::Login(next) => Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response(),
            UserRejection::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<WebState> for User {
    type Rejection = UserRejection;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let MaybeUser(a) = MaybeUser::from_request_parts(parts, state)
            .await
            .map_err(UserRejection::Error)?;
        match a {
            Some(a) => Ok(User(a)),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "/".into());
                Err(UserRejection::Login(next))
            }
        }
    }
}

/// An API caller: `Authorization: Bearer jzk_…` (API key), or a browser session. Session callers
/// must send `X-CSRF-Token` on state-changing requests.
pub struct ApiUser(pub Actor);

impl FromRequestParts<WebState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            let key = auth
                .strip_prefix("Bearer ")
                .map(str::trim)
                .ok_or_else(|| AppError::new(ErrorCode::BadApiKey))?;
            // A key read in the last few seconds needs no blocking thread.
            if let Some(known) = state.app.api_key_actor_cached(key) {
                return Ok(ApiUser(known?));
            }
            let app = state.app.clone();
            let key = key.to_string();
            let actor = blocking(move || app.api_key_actor(&key)).await?;
            return Ok(ApiUser(actor));
        }
        let MaybeUser(a) = MaybeUser::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError(e.0))?;
        let actor = a.ok_or_else(|| AppError::new(ErrorCode::NotAuthenticated))?;
        if !is_safe(&parts.method) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !actor
                .session_csrf()
                .is_some_and(|t| jingzhi_app::secrets::same(t, sent))
            {
                return Err(AppError::new(ErrorCode::CsrfFailed).into());
            }
        }
        Ok(ApiUser(actor))
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The caller's address: the socket peer; behind a trusted proxy, the last `X-Forwarded-For`
/// entry — the address our proxy saw. (Earlier entries come from the client and can be forged to
/// dodge the per-address sign-in limit.)
pub struct ClientIp(pub String);

impl FromRequestParts<WebState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy
            && let Some(xff) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
            && let Some(last) = xff.rsplit(',').map(str::trim).find(|x| !x.is_empty())
        {
            return Ok(ClientIp(last.to_string()));
        }
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientIp(ip))
    }
}

/// Submitted form fields, in order (repeated names allowed: `roles=a&roles=b`).
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1")
    }
    pub fn opt_i64(&self, name: &str) -> Option<i64> {
        self.get(name).trim().parse().ok()
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Form(v) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|_| WebError(AppError::new(ErrorCode::BadRequest)))?;
        Ok(FormData(v))
    }
}

/// Checks the form's CSRF token against the session's.
pub fn check_csrf(actor: &Actor, form: &FormData) -> Result<(), WebError> {
    match &actor.via {
        Via::Session { csrf_token, .. } if jingzhi_app::secrets::same(csrf_token, form.get("_csrf")) => Ok(()),
        _ => Err(WebError(AppError::new(ErrorCode::CsrfFailed))),
    }
}

/// Security headers on every response, and a same-origin check on every state-changing request
/// that a browser sends (API-key callers do not use cookies and are exempt).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let (body, read_to_end) = UnreadBody::track(body);
    if !is_safe(&parts.method) && !parts.headers.contains_key(header::AUTHORIZATION) && !same_origin(&parts.headers) {
        let body = "跨站请求已被拒绝（来源与本站不一致）";
        let mut res = (StatusCode::FORBIDDEN, body).into_response();
        close_unless_read(&mut res, &read_to_end);
        return res;
    }
    let mut res = next.run(Request::from_parts(parts, body)).await;
    close_unless_read(&mut res, &read_to_end);
    let h = res.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    res
}

/// A request body that notes whether it was read to its end.
///
/// A request refused before its body is read (no session, no CSRF token, cross-site) leaves the
/// rest of the body on the connection; the server then cannot reuse that connection, and a client
/// that was not told so sends its next request into a closed socket ("unexpected EOF"). Such a
/// response therefore says `Connection: close`.
struct UnreadBody {
    inner: axum::body::Body,
    read_to_end: Arc<AtomicBool>,
}

impl UnreadBody {
    fn track(inner: axum::body::Body) -> (axum::body::Body, Arc<AtomicBool>) {
        use axum::body::HttpBody;
        let read_to_end = Arc::new(AtomicBool::new(inner.is_end_stream()));
        let body = axum::body::Body::new(UnreadBody {
            inner,
            read_to_end: read_to_end.clone(),
        });
        (body, read_to_end)
    }
}

impl axum::body::HttpBody for UnreadBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, std::task::Poll::Ready(None)) || self.inner.is_end_stream() {
            self.read_to_end.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

fn close_unless_read(res: &mut Response, read_to_end: &AtomicBool) {
    if !read_to_end.load(Ordering::Relaxed) {
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
}

/// Sec-Fetch-Site / Origin check: a browser's cross-site POST is refused.
fn same_origin(h: &HeaderMap) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (
        h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        h.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => false,
        (Some(origin), Some(host)) => origin.split("://").nth(1).is_some_and(|o| o == host),
        // No Origin header (old browsers, curl): the CSRF token decides.
        _ => true,
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A local path to go back to after sign-in (never another site).
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; jz_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "jz_session"), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/admin/users?x=1"), "/admin/users?x=1");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
    }

    #[test]
    fn cross_site_posts_are_detected() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "jz.local:8080".parse().unwrap());
        h.insert(header::ORIGIN, "http://jz.local:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&h));
    }
}
